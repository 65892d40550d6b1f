import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { DEAD_LETTER_CLIENT } from '../processor.constants.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';

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

  /** Writes the record as it was read (raw bytes, not re-serialised), keyed as it was. */
  async park(context: KafkaBatchContext, record: KafkaRecord, reason: string): Promise<void> {
    const where = `${context.getTopic()}[${context.getPartition()}]@${record.offset}`;
    await lastValueFrom(
      this.client.emit(this.config.dlqTopic, {
        key: record.key,
        value: record.raw,
        headers: {
          'dlq-reason': reason,
          'dlq-source': where,
        },
      }),
      { defaultValue: undefined },
    );
    this.count++;
    this.logger.warn(`dead-lettered ${where}: ${reason}`);
  }
}
