import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { kafkaConfig, processorConfig, type KafkaConfig, type ProcessorConfig } from '#app/config';
import { KafkaAdmin } from '#app/kafka';
import { METRICS_REGISTRY, observedCounter, observedGauge } from '#app/metrics';
import { DeadLetters } from './dead-letters.js';
import { TickHandler } from './tick-handler.js';

@Injectable()
export class TicksMetrics {
  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(kafkaConfig.KEY) kafka: KafkaConfig,
    @Inject(processorConfig.KEY) processor: ProcessorConfig,
    admin: KafkaAdmin,
    ticks: TickHandler,
    deadLetters: DeadLetters,
  ) {
    observedCounter(registry, 'processor_ticks_consumed_total', 'Records read from the ticks topic', () => ticks.consumed);
    observedCounter(registry, 'processor_ticks_stored_total', 'Quotes stored in Redis and published', () => ticks.stored);
    observedCounter(registry, 'processor_quotes_published_total', 'Quotes published on Redis channels', () => ticks.stored);
    observedCounter(registry, 'processor_ticks_stale_total', 'Ticks dropped as not newer than the stored seq', () => ticks.stale);
    observedCounter(registry, 'processor_ticks_dead_lettered_total', 'Records sent to the dead-letter topic: invalid, or refused by their symbol\'s keys', () => deadLetters.count);
    observedGauge(registry, 'processor_consumer_lag', 'Records in the ticks topic not yet committed by the group', () =>
      admin.consumerLag(processor.groupId, kafka.ticksTopic).catch(() => -1),
    );
  }
}
