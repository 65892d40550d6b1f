import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { kafkaConfig } from '#app/config';
import { KafkaAdmin } from './kafka-admin.js';
import { KafkaHealthIndicator } from './kafka-health.indicator.js';

@Module({
  imports: [ConfigModule.forFeature(kafkaConfig), TerminusModule],
  providers: [KafkaAdmin, KafkaHealthIndicator],
  exports: [KafkaAdmin, KafkaHealthIndicator],
})
export class KafkaModule {}
