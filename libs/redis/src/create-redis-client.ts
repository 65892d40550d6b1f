import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '#app/config';

/**
 * Builds an ioredis connection that reconnects forever with capped back-off and logs state changes once,
 * not once per failed attempt. `name` shows up in CLIENT LIST and in the logs.
 */
export function createRedisClient(config: RedisConfig, name: string, options: RedisOptions = {}): Redis {
  const logger = new Logger(`Redis:${name}`);
  const client = new Redis(config.url, {
    connectionName: name,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    ...options,
  });
  let down = false;
  client.on('ready', () => {
    if (down) logger.log('reconnected');
    down = false;
  });
  client.on('error', (err: Error) => {
    if (!down) logger.warn(`connection error: ${err.message}`);
    down = true;
  });
  return client;
}
