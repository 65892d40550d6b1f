import { Controller, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';
import { TickHandler } from './tick-handler.js';

/**
 * The Kafka event handler for the configured ticks topic; KafkaBatchServer hands it a partition batch
 * of records at a time. The topic comes from config, and a decorator argument is fixed when the class
 * is declared, so the class is declared per topic.
 */
export function ticksControllerFor(topic: string): Type<unknown> {
  @Controller()
  class TicksController {
    constructor(private readonly ticks: TickHandler) {}

    @EventPattern<string>(topic)
    onTicks(@Payload() records: KafkaRecord[], @Ctx() context: KafkaBatchContext): Promise<void> {
      return this.ticks.handleBatch(records, context);
    }
  }
  return TicksController;
}
