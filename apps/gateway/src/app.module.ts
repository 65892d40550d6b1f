import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig, redisConfig } from '#app/config';
import { HealthModule } from '#app/health';
import { RedisHealthIndicator, RedisModule } from '#app/redis';
import { FeedHealthIndicator } from './feed/feed-health.indicator.js';
import { FeedModule } from './feed/feed.module.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { SubscriptionService } from './subscriptions/subscription.service.js';
import { QuotesGateway } from './ws/quotes.gateway.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [redisConfig, marketConfig, gatewayConfig] }),
    RedisModule,
    FeedModule,
    HealthModule.register({ imports: [RedisModule, FeedModule], indicators: [RedisHealthIndicator, FeedHealthIndicator] }),
  ],
  providers: [SubscriptionService, RateLimiter, QuotesGateway],
})
export class AppModule {}
