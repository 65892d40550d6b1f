import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { generatorConfig, kafkaConfig, marketConfig, type KafkaConfig } from '#app/config';
import { HealthModule } from '#app/health';
import { KafkaHealthIndicator, KafkaModule, kafkaClientConfig } from '#app/kafka';
import { TICKS_CLIENT } from './generator.constants.js';
import { TickPublisher } from './publishing/tick-publisher.js';
import { TickSchedule } from './publishing/tick-schedule.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [kafkaConfig, marketConfig, generatorConfig] }),
    KafkaModule,
    HealthModule.register({ imports: [KafkaModule], indicators: [KafkaHealthIndicator] }),
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
            // Idempotent: a retried batch is not written twice; acks from all in-sync replicas.
            producer: { createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, allowAutoTopicCreation: false, retry: { retries: 8, maxRetryTime: 5000 } },
            send: { acks: -1 },
          },
        }),
      },
    ]),
  ],
  providers: [TickPublisher, TickSchedule],
})
export class AppModule {}
