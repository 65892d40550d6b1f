import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { Partitioners } from 'kafkajs';
import { generatorConfig, kafkaConfig, marketConfig, type KafkaConfig } from '#app/config';
import { KafkaModule, kafkaClientConfig } from '#app/kafka';
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
      {
        name: TICKS_CLIENT,
        imports: [ConfigModule.forFeature(kafkaConfig)],
        inject: [kafkaConfig.KEY],
        useFactory: (config: KafkaConfig) => ({
          transport: Transport.KAFKA,
          options: {
            client: kafkaClientConfig(config, 'generator'),
            producerOnlyMode: true,
            postfixId: '',
            // Idempotent: a retried batch is not written twice. Retries are bounded so that a
            // lasting outage surfaces as failed sends (logs, health, metrics) instead of a hang.
            producer: {
              createPartitioner: Partitioners.DefaultPartitioner,
              idempotent: true,
              allowAutoTopicCreation: false,
              retry: { retries: 8, maxRetryTime: 5000 },
            },
            send: { acks: -1 },
          },
        }),
      },
    ]),
  ],
  providers: [TickPublisher, TickSchedule, PublishingMetrics, PublishingHealthIndicator],
  exports: [PublishingHealthIndicator],
})
export class PublishingModule {}
