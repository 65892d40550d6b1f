import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { kafkaConfig, processorConfig, redisConfig } from '#app/config';
import { KafkaModule } from '#app/kafka';
import { RedisModule } from '#app/redis';
import { ConsumerModule } from '../consumer/consumer.module.js';
import { QuoteStore } from '../quotes/quote-store.js';
import { TraceModule } from '../trace/trace.module.js';
import { RebuildHealthIndicator } from './rebuild-health.indicator.js';
import { RebuildLease } from './rebuild-lease.js';
import { RedisState } from './redis-state.js';
import { StateRebuild } from './state-rebuild.js';
import { TickReplayer } from './tick-replayer.js';

/** Redis rebuilt from Kafka when it has lost what the processor wrote; QuoteStore is the one store step. */
@Module({
  imports: [ConfigModule.forFeature(kafkaConfig), ConfigModule.forFeature(redisConfig), ConfigModule.forFeature(processorConfig), KafkaModule, RedisModule, ConsumerModule, TerminusModule, TraceModule],
  providers: [QuoteStore, RedisState, RebuildLease, TickReplayer, StateRebuild, RebuildHealthIndicator],
  exports: [QuoteStore, StateRebuild, RebuildHealthIndicator],
})
export class RebuildModule {}
