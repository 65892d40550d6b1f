import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Tick } from '#app/contracts';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { KafkaAdmin } from '#app/kafka';
import { TICKS_CLIENT } from '../generator.constants.js';

/** Creates the ticks topic at start-up and publishes ticks in batches, keyed by symbol for per-symbol order. */
@Injectable()
export class TickPublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger(TickPublisher.name);
  published = 0;
  failed = 0;
  /** The error of the last batch, cleared by the next batch that gets through. */
  lastError?: string;

  constructor(
    @Inject(TICKS_CLIENT) private readonly client: ClientKafka,
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
    private readonly admin: KafkaAdmin,
  ) {}

  async onApplicationBootstrap() {
    const { ticksTopic, dlqTopic, partitions, replicationFactor } = this.config;
    await this.admin.ensureTopics([
      { topic: ticksTopic, numPartitions: partitions, replicationFactor },
      { topic: dlqTopic, numPartitions: 1, replicationFactor },
    ]);
    await this.client.connect();
  }

  /** Resolves once every tick is acknowledged by the brokers; rejects (and counts them failed) otherwise. */
  async publish(ticks: Tick[]): Promise<void> {
    const messages = ticks.map((tick) => ({ key: tick.symbol, value: tick }));
    try {
      await lastValueFrom(this.client.emitBatch(this.config.ticksTopic, { messages }), { defaultValue: undefined });
      this.published += ticks.length;
      this.lastError = undefined;
    } catch (err) {
      this.failed += ticks.length;
      this.lastError = (err as Error).message;
      this.logger.error(`failed to publish ${ticks.length} ticks: ${(err as Error).message}`);
      throw err;
    }
  }
}
