import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig } from '#app/config';
import { ConnectionsModule } from '../connections/connections.module.js';
import { FeedModule } from '../feed/feed.module.js';
import { SubscriptionIndex } from './subscription-index.js';
import { SubscriptionService } from './subscription.service.js';

/** Which client wants which stream, and the subscribe and unsubscribe of the WebSocket contract. */
@Module({
  imports: [ConfigModule.forFeature(gatewayConfig), ConfigModule.forFeature(marketConfig), ConnectionsModule, FeedModule],
  providers: [SubscriptionIndex, SubscriptionService],
  exports: [SubscriptionIndex, SubscriptionService],
})
export class SubscriptionsModule {}
