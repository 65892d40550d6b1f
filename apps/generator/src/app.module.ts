import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { generatorConfig, kafkaConfig, marketConfig } from '#app/config';
import { HealthModule } from '#app/health';
import { KafkaHealthIndicator, KafkaModule } from '#app/kafka';
import { MetricsModule } from '#app/metrics';
import { PublishingHealthIndicator } from './publishing/publishing-health.indicator.js';
import { PublishingModule } from './publishing/publishing.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [kafkaConfig, marketConfig, generatorConfig] }),
    MetricsModule.forApp('generator'),
    PublishingModule,
    HealthModule.register({
      imports: [KafkaModule, PublishingModule],
      indicators: [KafkaHealthIndicator, PublishingHealthIndicator],
    }),
  ],
})
export class AppModule {}
