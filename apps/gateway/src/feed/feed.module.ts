import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { redisConfig, type RedisConfig } from '#app/config';
import { RedisModule } from '#app/redis';
import { BarReader } from './bar-reader.js';
import { connectFeedSubscriber } from './connect-feed-subscriber.js';
import { FEED_SUBSCRIBER } from './feed.constants.js';
import { FeedHealthIndicator } from './feed-health.indicator.js';
import { FeedTrace } from './feed-trace.js';
import { HistoryReader } from './history-reader.js';
import { QuoteFeed } from './quote-feed.js';
import { QuoteReader } from './quote-reader.js';

/** What the gateway reads from Redis: the pub/sub feed of quotes and bars, and the stored snapshot, history and bars. */
@Module({
  imports: [ConfigModule.forFeature(redisConfig), RedisModule, TerminusModule],
  providers: [
    { provide: FEED_SUBSCRIBER, inject: [redisConfig.KEY], useFactory: (config: RedisConfig) => connectFeedSubscriber(config) },
    FeedTrace,
    QuoteFeed,
    QuoteReader,
    HistoryReader,
    BarReader,
    FeedHealthIndicator,
  ],
  exports: [QuoteFeed, QuoteReader, HistoryReader, BarReader, FeedHealthIndicator],
})
export class FeedModule {}
