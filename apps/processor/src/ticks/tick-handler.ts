import { Injectable } from '@nestjs/common';
import { validateTick, type Tick } from '#app/contracts';
import { QuoteStore } from '../quotes/quote-store.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';
import { DeadLetters } from './dead-letters.js';

/** Quotes per Redis script call: bounds how long one call holds the (shared, single-threaded) Redis. */
export const MAX_QUOTES_PER_WRITE = 500;

/**
 * A partition batch of Kafka records, in order: valid ticks are stored and published (or dropped as
 * stale by seq) a chunk at a time; anything else is dead-lettered and skipped, after the valid ticks
 * before it. A record's offset is resolved only once its tick is in Redis (or parked), so kafkajs
 * commits nothing that is not. Redis errors propagate: kafkajs fetches the unresolved rest again.
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

  async handleBatch(records: readonly KafkaRecord[], context: KafkaBatchContext): Promise<void> {
    let chunk: Tick[] = [];
    let chunkEnd = '';
    for (const record of records) {
      this.consumed++;
      const result = validateTick(record.value);
      if (result.ok) {
        chunk.push(result.tick);
        chunkEnd = record.offset;
        if (chunk.length < MAX_QUOTES_PER_WRITE) continue;
      }
      if (chunk.length > 0) {
        await this.store(chunk, chunkEnd, context);
        chunk = [];
        if (!context.isActive()) return;
      }
      if (!result.ok) {
        await this.deadLetters.park(context, record, result.reason);
        context.resolveOffset(record.offset);
      }
    }
    if (chunk.length > 0) await this.store(chunk, chunkEnd, context);
  }

  private async store(ticks: Tick[], lastOffset: string, context: KafkaBatchContext): Promise<void> {
    const stored = await this.quotes.saveAll(ticks);
    this.stored += stored;
    this.stale += ticks.length - stored;
    context.resolveOffset(lastOffset);
    await context.heartbeat();
  }
}
