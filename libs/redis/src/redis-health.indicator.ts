import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { RedisClient } from './redis-client.js';
import { REDIS_CLIENT } from './redis.constants.js';

const PING_TIMEOUT_MS = 1000;

/** Readiness: the shared Redis connection is up and answers PING within a second. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis') {
    const check = this.health.check(key);
    if (this.redis.status !== 'ready') return check.down({ message: `connection ${this.redis.status}` });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PONG within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
      return check.up();
    } catch (err) {
      return check.down({ message: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
