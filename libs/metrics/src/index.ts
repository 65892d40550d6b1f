export * from './metrics.constants.js';
export * from './metrics.controller.js';
export * from './metrics.module.js';
export * from './observed-metrics.js';
export * from './metrics-server.js';
