export * from './validate-env.js';
export * from './kafka.config.js';
export * from './redis.config.js';
export * from './market.config.js';
export * from './generator.config.js';
export * from './processor.config.js';
export * from './gateway.config.js';
