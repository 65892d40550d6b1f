import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QuoteFeed } from './quote-feed.js';

/** Readiness: the pub/sub connection that feeds every client (the single server, or the cluster) is up. */
@Injectable()
export class FeedHealthIndicator {
  constructor(
    private readonly feed: QuoteFeed,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis-feed') {
    const check = this.health.check(key);
    const status = this.feed.subscriber.status;
    return status === 'ready' ? check.up() : check.down({ message: `connection ${status}` });
  }
}
