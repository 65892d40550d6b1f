import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig, redisConfig } from '#app/config';
import { HealthModule } from '#app/health';
import { MetricsModule } from '#app/metrics';
import { RedisHealthIndicator, RedisModule } from '#app/redis';
import { OriginPolicy } from './auth/origin-policy.js';
import { workerMetrics } from './cluster/worker-metrics.js';
import { UpgradeAuthenticator } from './auth/upgrade-authenticator.js';
import { ClientSocketErrors } from './connections/client-socket-errors.js';
import { GatewayStats } from './connections/gateway-stats.js';
import { GatewayMetrics } from './connections/gateway.metrics.js';
import { Heartbeat } from './connections/heartbeat.js';
import { SessionRegistry } from './connections/session-registry.js';
import { TrustedProxies } from './connections/trusted-proxies.js';
import { FeedHealthIndicator } from './feed/feed-health.indicator.js';
import { FeedModule } from './feed/feed.module.js';
import { AddressBudget } from './rate-limit/address-budget.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { RestModule } from './rest/rest.module.js';
import { SubscriptionService } from './subscriptions/subscription.service.js';
import { WebModule } from './web/web.module.js';
import { QuotesGateway } from './ws/quotes.gateway.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [redisConfig, marketConfig, gatewayConfig] }),
    RedisModule,
    FeedModule,
    MetricsModule.forApp('gateway', workerMetrics),
    HealthModule.register({ imports: [RedisModule, FeedModule], indicators: [RedisHealthIndicator, FeedHealthIndicator] }),
    RestModule,
    WebModule,
  ],
  providers: [
    GatewayStats,
    ClientSocketErrors,
    SessionRegistry,
    TrustedProxies,
    OriginPolicy,
    UpgradeAuthenticator,
    Heartbeat,
    SubscriptionService,
    AddressBudget,
    RateLimiter,
    QuotesGateway,
    GatewayMetrics,
  ],
})
export class AppModule {}
