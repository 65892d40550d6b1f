import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import type { RedisClient } from './redis-client.js';
import { redisConfig, type RedisConfig } from '#app/config';
import { createRedisClient } from './create-redis-client.js';
import { RedisHealthIndicator } from './redis-health.indicator.js';
import { REDIS_CLIENT } from './redis.constants.js';

/** Closes the shared connection last, after Kafka consumers and sockets are closed (Nest's shutdown order). */
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Module({
  imports: [ConfigModule.forFeature(redisConfig), TerminusModule],
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [redisConfig.KEY],
      useFactory: (config: RedisConfig) => createRedisClient(config, 'commands'),
    },
    RedisCloser,
    RedisHealthIndicator,
  ],
  exports: [REDIS_CLIENT, RedisHealthIndicator],
})
export class RedisModule {}
