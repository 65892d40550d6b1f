import { Injectable } from '@nestjs/common';
import { checkTick, type Tick } from '#app/contracts';
import { QuoteStore, type SaveResult } from '../quotes/quote-store.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';
import { TransientBatchError } from '../transport/transient-batch.error.js';
import { DeadLetters, type RejectedRecord } from './dead-letters.js';
import { epochNow, TickTrace } from '../trace/tick-trace.js';

/** Quotes of a partition batch per write: each write resolves its offsets and heartbeats before the next. */
export const MAX_QUOTES_PER_WRITE = 500;

/**
 * A partition batch of Kafka records, in order. Records that are not valid ticks go to the dead-letter
 * topic first, all in one send; then the valid ticks are stored and published (or dropped as stale by
 * seq) a chunk at a time, in order, and the ticks of a symbol whose own keys refused them (see
 * STORE_QUOTES_LUA) go to the dead-letter topic with Redis's reason: a fault of one symbol's keys stays
 * with that symbol's records. An offset is resolved only once everything up to it is in Redis or
 * parked, so kafkajs commits nothing that is not. A failed write (Redis down or refusing writes) or
 * dead-letter send throws a TransientBatchError and resolves nothing more: the partition is paused and
 * the unresolved rest fetched again later (a dead letter may then be written twice; its dlq-source
 * header tells the copies apart from new ones).
 */
@Injectable()
export class TickHandler {
  consumed = 0;
  stored = 0;
  stale = 0;

  constructor(
    private readonly quotes: QuoteStore,
    private readonly deadLetters: DeadLetters,
    private readonly trace: TickTrace,
  ) {}

  async handleBatch(records: readonly KafkaRecord[], context: KafkaBatchContext): Promise<void> {
    if (records.length === 0) return;
    const handledAt = epochNow();
    this.consumed += records.length;
    const ticks: Tick[] = [];
    const tickRecords: KafkaRecord[] = [];
    const rejected: RejectedRecord[] = [];
    for (const record of records) {
      const result = checkTick(record.value);
      if (result.ok) {
        ticks.push(result.tick);
        tickRecords.push(record);
      } else {
        rejected.push({ record, reason: result.reason });
      }
    }
    if (ticks.length > 0) this.traceBatch(ticks[0].timestamp, context, handledAt);
    if (rejected.length > 0) await this.park(rejected, context);
    for (let start = 0; start < ticks.length; start += MAX_QUOTES_PER_WRITE) {
      const end = Math.min(start + MAX_QUOTES_PER_WRITE, ticks.length);
      await this.store(ticks.slice(start, end), tickRecords.slice(start, end), context);
      if (!context.isActive()) return;
    }
    // Rejected records after the last tick are done too.
    if (rejected.length > 0) context.resolveOffset(records[records.length - 1].offset);
  }

  private traceBatch(timestamp: number, context: KafkaBatchContext, handledAt: number): void {
    const { fetchedAt, startedAt } = context.times;
    this.trace.observe('fetched', timestamp, fetchedAt);
    this.trace.observe('batch', timestamp, startedAt);
    this.trace.observe('handled', timestamp, handledAt);
  }

  private async park(rejected: RejectedRecord[], context: KafkaBatchContext): Promise<void> {
    try {
      await context.keepAlive(this.deadLetters.parkAll(context, rejected));
    } catch (err) {
      throw new TransientBatchError('DEAD_LETTER_WRITE_FAILED', `could not dead-letter ${rejected.length} record(s): ${(err as Error).message}`);
    }
    await context.heartbeat();
  }

  private async store(ticks: Tick[], records: KafkaRecord[], context: KafkaBatchContext): Promise<void> {
    let result: SaveResult;
    try {
      result = await this.quotes.saveAll(ticks);
    } catch (err) {
      throw new TransientBatchError('QUOTE_WRITE_FAILED', `Redis did not store ${ticks.length} quote(s): ${(err as Error).message}`);
    }
    let refused = 0;
    if (result.refused.length > 0) {
      const reasons = new Map(result.refused.map(({ symbol, reason }) => [symbol, `QUOTE_REFUSED: ${explain(reason)}`]));
      const parked: RejectedRecord[] = [];
      ticks.forEach((tick, i) => {
        const reason = reasons.get(tick.symbol);
        if (reason) parked.push({ record: records[i], reason });
      });
      refused = parked.length;
      await this.park(parked, context);
    }
    this.stored += result.fresh;
    this.stale += ticks.length - result.fresh - refused;
    context.resolveOffset(records[records.length - 1].offset);
    await context.heartbeat();
  }
}

/** Redis's reason, with what a person can do about the one that needs knowing the store's layout. */
function explain(reason: string): string {
  if (!reason.includes('XADD is equal or smaller')) return reason;
  return `${reason}: the symbol's history stream already holds this seq or a later one (an entry from a clock running ahead, or its quote hash gone while the history remains); delete the history stream to accept these seqs`;
}
