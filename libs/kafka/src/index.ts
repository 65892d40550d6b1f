export * from './kafka-client.config.js';
export * from './kafka-admin.js';
export * from './kafka-health.indicator.js';
export * from './kafka.module.js';
export * from './kafka-producer-client.js';
export * from './kafka-logger.js';
