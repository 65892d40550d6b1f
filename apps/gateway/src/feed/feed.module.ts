import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { gatewayConfig, type GatewayConfig, redisConfig, type RedisConfig } from '#app/config';
import { RedisModule } from '#app/redis';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import { BarReader } from './bar-reader.js';
import { connectFeedSubscriber } from './connect-feed-subscriber.js';
import { FEED_MAX_WAITING, FEED_SUBSCRIBER } from './feed.constants.js';
import { FeedHealthIndicator } from './feed-health.indicator.js';
import { HistoryReader } from './history-reader.js';
import { QuoteFeed } from './quote-feed.js';
import { QuoteReader } from './quote-reader.js';
import { WorkerFeedSubscriber, type WorkerFeedOptions } from './worker-feed-subscriber.js';

/** The reader thread conflates what waits for the gateway's thread past the count QuoteFeed's backlog keeps. */
const READER_OPTIONS: WorkerFeedOptions = {
  outbox: { maxWaiting: FEED_MAX_WAITING },
  restartDelayMs: 1000,
  closeTimeoutMs: 2000,
};

@Module({
  imports: [ConfigModule.forFeature(redisConfig), ConfigModule.forFeature(gatewayConfig), RedisModule, TerminusModule],
  providers: [
    {
      provide: FEED_SUBSCRIBER,
      inject: [redisConfig.KEY, gatewayConfig.KEY],
      useFactory: (config: RedisConfig, gateway: Pick<GatewayConfig, 'feedThread'>) =>
        gateway.feedThread ? new WorkerFeedSubscriber(config, READER_OPTIONS) : connectFeedSubscriber(config).subscriber,
    },
    SubscriptionIndex,
    QuoteFeed,
    QuoteReader,
    HistoryReader,
    BarReader,
    FeedHealthIndicator,
  ],
  exports: [SubscriptionIndex, QuoteFeed, QuoteReader, HistoryReader, BarReader, FeedHealthIndicator],
})
export class FeedModule {}
