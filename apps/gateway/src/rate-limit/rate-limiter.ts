import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { gatewayConfig, redisConfig, type GatewayConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT } from '#app/redis';

/**
 * Messages per second per connection, counted in Redis (a fixed one-second window per connection),
 * so the count survives nothing but its window and several gateways could share limits by key.
 * If Redis cannot answer, messages are let through: a Redis outage must not lock every client out.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly instance = randomUUID().slice(0, 8);
  private warned = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(gatewayConfig.KEY) private readonly gateway: GatewayConfig,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  /** True when this message is within the connection's limit for the current second. */
  async allow(connectionId: number): Promise<boolean> {
    const second = Math.floor(Date.now() / 1000);
    const key = `${this.config.keyPrefix}ratelimit:${this.instance}:${connectionId}:${second}`;
    try {
      const replies = await this.redis.multi().incr(key).pexpire(key, 2000).exec();
      const count = Number(replies?.[0]?.[1] ?? 0);
      this.warned = false;
      return count <= this.gateway.rateLimitPerSecond;
    } catch (err) {
      if (!this.warned) this.logger.warn(`rate limiting off while Redis fails: ${(err as Error).message}`);
      this.warned = true;
      return true;
    }
  }
}
