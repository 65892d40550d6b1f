/** The shared command connection (commands, scripts, pipelines). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
