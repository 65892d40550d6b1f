import { Injectable } from '@nestjs/common';
import type { KafkaContext } from '@nestjs/microservices';
import { validateTick } from '#app/contracts';
import { QuoteStore } from '../quotes/quote-store.js';
import { DeadLetters } from './dead-letters.js';

/**
 * One Kafka record: a valid tick is stored and published (or dropped as stale by seq); anything else
 * is dead-lettered and skipped. Redis errors propagate, so kafkajs retries the record and its offset
 * is not committed: an offset is committed only once its quote is in Redis.
 */
@Injectable()
export class TickHandler {
  consumed = 0;
  stored = 0;
  stale = 0;

  constructor(
    private readonly quotes: QuoteStore,
    private readonly deadLetters: DeadLetters,
  ) {}

  async handle(value: unknown, context: KafkaContext): Promise<void> {
    this.consumed++;
    const result = validateTick(value);
    if (!result.ok) {
      await this.deadLetters.park(context, result.reason);
      return;
    }
    if (await this.quotes.save(result.tick)) this.stored++;
    else this.stale++;
  }
}
