import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig, redisConfig } from '#app/config';
import { HealthModule } from '#app/health';
import { MetricsModule } from '#app/metrics';
import { RedisHealthIndicator, RedisModule } from '#app/redis';
import { workerMetrics } from './cluster/worker-metrics.js';
import { ConnectionsModule } from './connections/connections.module.js';
import { DoorModule } from './door/door.module.js';
import { FeedHealthIndicator } from './feed/feed-health.indicator.js';
import { FeedModule } from './feed/feed.module.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { RestModule } from './rest/rest.module.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';
import { WebModule } from './web/web.module.js';
import { QuotesGateway } from './ws/quotes.gateway.js';

/**
 * The gateway: the socket (QuotesGateway) at the door (DoorModule), one session per client
 * (ConnectionsModule), the streams each client wants (SubscriptionsModule) fed from Redis (FeedModule),
 * and beside them the REST API and the watchlist page.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [redisConfig, marketConfig, gatewayConfig] }),
    RedisModule,
    MetricsModule.forApp('gateway', workerMetrics),
    HealthModule.register({ imports: [RedisModule, FeedModule], indicators: [RedisHealthIndicator, FeedHealthIndicator] }),
    DoorModule,
    FeedModule,
    ConnectionsModule,
    SubscriptionsModule,
    RestModule,
    WebModule,
  ],
  providers: [QuotesGateway, GatewayMetrics],
})
export class AppModule {}
