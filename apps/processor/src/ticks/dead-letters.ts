import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ClientKafka, type KafkaContext } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { DEAD_LETTER_CLIENT } from '../processor.constants.js';

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

  async park(context: KafkaContext, reason: string): Promise<void> {
    const message = context.getMessage();
    const where = `${context.getTopic()}[${context.getPartition()}]@${message.offset}`;
    const value = typeof message.value === 'string' ? message.value : JSON.stringify(message.value ?? null);
    await lastValueFrom(
      this.client.emit(this.config.dlqTopic, {
        key: message.key,
        value,
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
