import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { generatorConfig, kafkaConfig, marketConfig } from '#app/config';
import { KafkaModule, kafkaProducerClient } from '#app/kafka';
import { TICKS_CLIENT } from '../generator.constants.js';
import { PublishingHealthIndicator } from './publishing-health.indicator.js';
import { PublishingMetrics } from './publishing.metrics.js';
import { TickPublisher } from './tick-publisher.js';
import { TickSchedule } from './tick-schedule.js';

@Module({
  imports: [
    ConfigModule.forFeature(kafkaConfig),
    ConfigModule.forFeature(marketConfig),
    ConfigModule.forFeature(generatorConfig),
    KafkaModule,
    TerminusModule,
    ClientsModule.registerAsync([
      // Idempotent: a retried batch is not written twice. Retries are bounded so that a lasting
      // outage surfaces as failed sends (logs, health, metrics) instead of a hang.
      kafkaProducerClient(TICKS_CLIENT, 'generator', { idempotent: true, retry: { retries: 8, maxRetryTime: 5000 } }),
    ]),
  ],
  providers: [TickPublisher, TickSchedule, PublishingMetrics, PublishingHealthIndicator],
  exports: [PublishingHealthIndicator],
})
export class PublishingModule {}
