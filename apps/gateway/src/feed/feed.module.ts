import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { redisConfig } from '#app/config';
import { RedisModule } from '#app/redis';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import { FeedHealthIndicator } from './feed-health.indicator.js';
import { QuoteFeed } from './quote-feed.js';
import { QuoteReader } from './quote-reader.js';

@Module({
  imports: [ConfigModule.forFeature(redisConfig), RedisModule, TerminusModule],
  providers: [SubscriptionIndex, QuoteFeed, QuoteReader, FeedHealthIndicator],
  exports: [SubscriptionIndex, QuoteFeed, QuoteReader, FeedHealthIndicator],
})
export class FeedModule {}
