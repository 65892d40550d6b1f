import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { redisConfig, type RedisConfig } from '#app/config';
import { createRedisClient, isCluster, RedisModule } from '#app/redis';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import { BarReader } from './bar-reader.js';
import { FEED_SUBSCRIBER } from './feed.constants.js';
import { FeedHealthIndicator } from './feed-health.indicator.js';
import { HistoryReader } from './history-reader.js';
import { QuoteFeed } from './quote-feed.js';
import { QuoteReader } from './quote-reader.js';
import { ServerFeedSubscriber } from './server-feed-subscriber.js';
import { ShardedFeedSubscriber } from './sharded-feed-subscriber.js';

@Module({
  imports: [ConfigModule.forFeature(redisConfig), RedisModule, TerminusModule],
  providers: [
    {
      provide: FEED_SUBSCRIBER,
      inject: [redisConfig.KEY],
      // The feed re-subscribes its channels itself after a reconnect (see QuoteFeed).
      useFactory: (config: RedisConfig) => {
        const client = createRedisClient(config, 'feed', 'subscriber');
        return isCluster(client) ? new ShardedFeedSubscriber(client) : new ServerFeedSubscriber(client);
      },
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
