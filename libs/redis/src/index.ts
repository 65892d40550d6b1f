export * from './redis.constants.js';
export * from './redis-client.js';
export * from './slot-of.js';
export * from './create-redis-client.js';
export * from './redis-health.indicator.js';
export * from './redis.module.js';
export * from './redis-unavailable.js';
