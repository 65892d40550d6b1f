import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { DEAD_LETTER_CLIENT } from '../processor.constants.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';

/** A record that is not a valid tick, and why. */
export interface RejectedRecord {
  record: KafkaRecord;
  reason: string;
}

/** Reasons quoted in the log line of a send; the dead-letter headers carry every one. */
const REASONS_LOGGED = 3;

/** Parks records that are not valid ticks on the dead-letter topic, with why and where they came from. */
@Injectable()
export class DeadLetters implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeadLetters.name);
  count = 0;

  constructor(
    @Inject(DEAD_LETTER_CLIENT) private readonly client: ClientKafka,
    @Inject(kafkaConfig.KEY) private readonly config: KafkaConfig,
  ) {}

  async onApplicationBootstrap() {
    await this.client.connect();
  }

  /**
   * Writes the rejected records of a batch in one send, each as it was read (raw bytes, not
   * re-serialised) and keyed as it was: a burst of invalid records costs one round trip, not one each.
   */
  async parkAll(context: KafkaBatchContext, rejected: readonly RejectedRecord[]): Promise<void> {
    if (rejected.length === 0) return;
    const source = `${context.getTopic()}[${context.getPartition()}]`;
    const messages = rejected.map(({ record, reason }) => ({
      key: record.key,
      value: record.raw,
      headers: { 'dlq-reason': reason, 'dlq-source': `${source}@${record.offset}` },
    }));
    await lastValueFrom(this.client.emitBatch(this.config.dlqTopic, { messages }), { defaultValue: undefined });
    this.count += rejected.length;
    const shown = rejected.slice(0, REASONS_LOGGED).map(({ record, reason }) => `@${record.offset} ${reason}`);
    if (rejected.length > REASONS_LOGGED) shown.push(`and ${rejected.length - REASONS_LOGGED} more`);
    this.logger.warn(`dead-lettered ${rejected.length} record(s) of ${source}: ${shown.join('; ')}`);
  }
}
