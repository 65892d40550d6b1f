import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClientsModule } from '@nestjs/microservices';
import { kafkaConfig, processorConfig, redisConfig } from '#app/config';
import { HealthModule } from '#app/health';
import { KafkaHealthIndicator, KafkaModule, kafkaProducerClient } from '#app/kafka';
import { MetricsModule } from '#app/metrics';
import { RedisHealthIndicator, RedisModule } from '#app/redis';
import { ConsumerHealthIndicator } from './consumer/consumer-health.indicator.js';
import { ConsumerModule } from './consumer/consumer.module.js';
import { DEAD_LETTER_CLIENT } from './processor.constants.js';
import { RebuildHealthIndicator } from './rebuild/rebuild-health.indicator.js';
import { RebuildModule } from './rebuild/rebuild.module.js';
import { DeadLetters } from './ticks/dead-letters.js';
import { TickHandler } from './ticks/tick-handler.js';
import { TraceModule } from './trace/trace.module.js';
import { ticksControllerFor } from './ticks/ticks.controller.js';
import { TicksMetrics } from './ticks/ticks.metrics.js';

@Module({})
export class AppModule {
  static forTopic(ticksTopic: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [kafkaConfig, redisConfig, processorConfig] }),
        KafkaModule,
        RedisModule,
        MetricsModule.forApp('processor'),
        ConsumerModule,
        RebuildModule,
        TraceModule,
        HealthModule.register({
          imports: [KafkaModule, RedisModule, ConsumerModule, RebuildModule],
          indicators: [KafkaHealthIndicator, RedisHealthIndicator, ConsumerHealthIndicator, RebuildHealthIndicator],
        }),
        // Few, short retries: a dead-letter send that fails pauses its partition and is retried with
        // back-off (PartitionRetries) instead of holding the batch, and every partition fetched with
        // it, through kafkajs' default of about 25 s of retries.
        ClientsModule.registerAsync([kafkaProducerClient(DEAD_LETTER_CLIENT, 'processor-dlq', { retry: { retries: 3, maxRetryTime: 1000 } })]),
      ],
      controllers: [ticksControllerFor(ticksTopic)],
      providers: [DeadLetters, TickHandler, TicksMetrics],
    };
  }
}
