import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Quote } from '#app/contracts';
import type { QuoteStore } from '../quotes/quote-store.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';
import type { DeadLetters } from './dead-letters.js';
import { MAX_QUOTES_PER_WRITE, TickHandler } from './tick-handler.js';

const tick = (seq: number) => ({ symbol: 'AAPL', price: 100, bid: 99.99, ask: 100.01, volume: 1, change: 0, changePercent: 0, timestamp: 1, seq });
const record = (offset: number, value: unknown): KafkaRecord => ({ offset: String(offset), key: null, raw: null, value });

/** A handler over fakes that log, in one list, every write, park and resolved offset in the order they happen. */
function harness({ failWrite = false, activeFor = Infinity } = {}) {
  const log: string[] = [];
  const store = {
    async saveAll(quotes: Quote[]) {
      await Promise.resolve();
      if (failWrite) throw new Error('redis down');
      log.push(`write ${quotes.map((q) => q.seq).join(',')}`);
      return quotes.length;
    },
  };
  const deadLetters = {
    async park(_context: KafkaBatchContext, r: KafkaRecord, reason: string) {
      log.push(`park ${r.offset} ${reason.length > 0}`);
    },
  };
  let checks = 0;
  const context = {
    getTopic: () => 'ticks',
    getPartition: () => 0,
    resolveOffset: (offset: string) => log.push(`resolve ${offset}`),
    heartbeat: async () => undefined,
    isActive: () => ++checks <= activeFor,
  } as unknown as KafkaBatchContext;
  const handler = new TickHandler(store as unknown as QuoteStore, deadLetters as unknown as DeadLetters);
  return { handler, context, log };
}

describe('TickHandler', () => {
  it('stores the valid ticks of a batch in one write and resolves the last offset only after it', async () => {
    const { handler, context, log } = harness();
    await handler.handleBatch([record(10, tick(1)), record(11, tick(2)), record(12, tick(3))], context);
    assert.deepEqual(log, ['write 1,2,3', 'resolve 12']);
    assert.deepEqual([handler.consumed, handler.stored, handler.stale], [3, 3, 0]);
  });

  it('stores the ticks before a poison record, parks it, then goes on, resolving offsets in order', async () => {
    const { handler, context, log } = harness();
    await handler.handleBatch([record(1, tick(1)), record(2, 'not json'), record(3, { ...tick(2), price: -1 }), record(4, tick(3))], context);
    assert.deepEqual(log, ['write 1', 'resolve 1', 'park 2 true', 'resolve 2', 'park 3 true', 'resolve 3', 'write 3', 'resolve 4']);
  });

  it(`writes at most ${MAX_QUOTES_PER_WRITE} quotes per Redis call`, async () => {
    const { handler, context, log } = harness();
    const records = Array.from({ length: MAX_QUOTES_PER_WRITE + 2 }, (_, i) => record(i, tick(i)));
    await handler.handleBatch(records, context);
    assert.deepEqual(
      log.filter((l) => l.startsWith('resolve')),
      [`resolve ${MAX_QUOTES_PER_WRITE - 1}`, `resolve ${MAX_QUOTES_PER_WRITE + 1}`],
    );
  });

  it('lets a Redis failure propagate without resolving the offsets of what it did not store', async () => {
    const { handler, context, log } = harness({ failWrite: true });
    await assert.rejects(handler.handleBatch([record(1, tick(1)), record(2, tick(2))], context), /redis down/);
    assert.deepEqual(log, []);
  });

  it('stops after the chunk in hand once the partition is revoked or the consumer stops', async () => {
    const { handler, context, log } = harness({ activeFor: 0 });
    const records = Array.from({ length: MAX_QUOTES_PER_WRITE * 2 }, (_, i) => record(i, tick(i)));
    await handler.handleBatch(records, context);
    assert.deepEqual(log.filter((l) => l.startsWith('resolve')), [`resolve ${MAX_QUOTES_PER_WRITE - 1}`]);
  });
});
