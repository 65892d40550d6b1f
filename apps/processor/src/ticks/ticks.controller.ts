import { Controller, type Type } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { TickHandler } from './tick-handler.js';

/**
 * The Kafka event handler for the configured ticks topic. The topic comes from config, and a
 * decorator argument is fixed when the class is declared, so the class is declared per topic.
 */
export function ticksControllerFor(topic: string): Type<unknown> {
  @Controller()
  class TicksController {
    constructor(private readonly ticks: TickHandler) {}

    @EventPattern<string>(topic)
    onTick(@Payload() value: unknown, @Ctx() context: KafkaContext): Promise<void> {
      return this.ticks.handle(value, context);
    }
  }
  return TicksController;
}
