import type { ServerResponse } from 'node:http';
import { Catch, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isRedisUnavailable } from '#app/redis';

/** The Redis client reconnects at least every 2 s (see createRedisClient), so asking again then may work. */
export const REDIS_RETRY_AFTER_SECONDS = 2;

/**
 * A request whose Redis read failed because Redis is unavailable (connection closed, reconnect attempts
 * used up, a cluster without a master) gets 503 with Retry-After, in the usual error shape: the client did
 * nothing wrong and may retry. Anything else goes to Nest's filter unchanged: HttpExceptions keep their
 * status and a real bug stays a logged 500. Not logged per request: the Redis client logs the outage once.
 */
@Catch()
export class RedisUnavailableFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isRedisUnavailable(exception)) return super.catch(exception, host);
    host.switchToHttp().getResponse<ServerResponse>().setHeader('Retry-After', String(REDIS_RETRY_AFTER_SECONDS));
    const message = `Market data is kept in Redis, which the gateway cannot reach right now; retry in ${REDIS_RETRY_AFTER_SECONDS} s`;
    super.catch(new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message }), host);
  }
}
