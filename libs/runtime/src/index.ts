export * from './run-app.js';
export * from './pino-logger.js';
export * from './app-phase.js';
