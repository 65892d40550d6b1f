import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { processorConfig } from '#app/config';
import { ConsumerHealthIndicator } from './consumer-health.indicator.js';
import { ConsumerStatus } from './consumer-status.js';
import { PartitionRetries } from './partition-retries.js';

/** The Kafka consumer's state and its paused partitions: fed by KafkaBatchServer, read by readiness. */
@Module({
  imports: [ConfigModule.forFeature(processorConfig), TerminusModule],
  providers: [ConsumerStatus, PartitionRetries, ConsumerHealthIndicator],
  exports: [ConsumerStatus, PartitionRetries, ConsumerHealthIndicator],
})
export class ConsumerModule {}
