import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY, observedCounter } from '#app/metrics';
import { TickPublisher } from './tick-publisher.js';
import { TickSchedule } from './tick-schedule.js';

@Injectable()
export class PublishingMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, publisher: TickPublisher, schedule: TickSchedule) {
    observedCounter(registry, 'generator_ticks_produced_total', 'Ticks acknowledged by Kafka', () => publisher.published);
    observedCounter(registry, 'generator_ticks_failed_total', 'Ticks whose send failed after retries', () => publisher.failed);
    observedCounter(registry, 'generator_rounds_skipped_total', 'Rounds skipped because 100 ms of rounds already waited behind the send in flight', () => schedule.skippedRounds);
  }
}
