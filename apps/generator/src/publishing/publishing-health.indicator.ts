import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TickPublisher } from './tick-publisher.js';

/** Readiness: the last batch reached Kafka; down (with the error) while sends fail. */
@Injectable()
export class PublishingHealthIndicator {
  constructor(
    private readonly publisher: TickPublisher,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'publishing') {
    const check = this.health.check(key);
    const { published, failed, lastError } = this.publisher;
    return lastError ? check.down({ message: lastError, published, failed }) : check.up({ published, failed });
  }
}
