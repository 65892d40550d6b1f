import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Quote } from '#app/contracts';
import type { QuoteStore } from '../quotes/quote-store.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';
import { TransientBatchError } from '../transport/transient-batch.error.js';
import type { DeadLetters, RejectedRecord } from './dead-letters.js';
import { MAX_QUOTES_PER_WRITE, TickHandler } from './tick-handler.js';

const tick = (seq: number) => ({ symbol: 'AAPL', price: 100, bid: 99.99, ask: 100.01, volume: 1, change: 0, changePercent: 0, timestamp: 1, seq });
const record = (offset: number, value: unknown): KafkaRecord => ({ offset: String(offset), key: null, raw: null, value });

/** A handler over fakes that log, in one list, every write, park, heartbeat and resolved offset in the order they happen. */
function harness({ failWrite = false, failPark = false, activeFor = Infinity } = {}) {
  const log: string[] = [];
  const store = {
    async saveAll(quotes: Quote[]) {
      await Promise.resolve();
      if (failWrite) throw new Error('OOM command not allowed');
      log.push(`write ${quotes.map((q) => q.seq).join(',')}`);
      return quotes.length;
    },
  };
  const deadLetters = {
    async parkAll(_context: KafkaBatchContext, rejected: RejectedRecord[]) {
      await Promise.resolve();
      if (failPark) throw new Error('This server does not host this topic-partition');
      log.push(`park ${rejected.map((r) => r.record.offset).join(',')}`);
    },
  };
  let checks = 0;
  const context = {
    getTopic: () => 'ticks',
    getPartition: () => 0,
    resolveOffset: (offset: string) => log.push(`resolve ${offset}`),
    heartbeat: async () => void log.push('heartbeat'),
    keepAlive: <T>(work: Promise<T>) => work,
    isActive: () => ++checks <= activeFor,
  } as unknown as KafkaBatchContext;
  const handler = new TickHandler(store as unknown as QuoteStore, deadLetters as unknown as DeadLetters);
  return { handler, context, log };
}

describe('TickHandler', () => {
  it('stores the valid ticks of a batch in one write and resolves the last offset only after it', async () => {
    const { handler, context, log } = harness();
    await handler.handleBatch([record(10, tick(1)), record(11, tick(2)), record(12, tick(3))], context);
    assert.deepEqual(log, ['write 1,2,3', 'resolve 12', 'heartbeat']);
    assert.deepEqual([handler.consumed, handler.stored, handler.stale], [3, 3, 0]);
  });

  it('dead-letters every invalid record of a batch in one send before storing, then resolves in order', async () => {
    const { handler, context, log } = harness();
    await handler.handleBatch([record(1, tick(1)), record(2, 'not json'), record(3, { ...tick(2), price: -1 }), record(4, tick(3)), record(5, {})], context);
    assert.deepEqual(log, ['park 2,3,5', 'heartbeat', 'write 1,3', 'resolve 4', 'heartbeat', 'resolve 5']);
  });

  it('resolves a batch of nothing but invalid records once they are parked', async () => {
    const { handler, context, log } = harness();
    await handler.handleBatch([record(7, 'x'), record(8, 'y')], context);
    assert.deepEqual(log, ['park 7,8', 'heartbeat', 'resolve 8']);
  });

  it(`writes at most ${MAX_QUOTES_PER_WRITE} quotes per Redis call, heartbeating after each`, async () => {
    const { handler, context, log } = harness();
    const records = Array.from({ length: MAX_QUOTES_PER_WRITE + 2 }, (_, i) => record(i, tick(i)));
    await handler.handleBatch(records, context);
    assert.deepEqual(
      log.filter((l) => !l.startsWith('write')),
      [`resolve ${MAX_QUOTES_PER_WRITE - 1}`, 'heartbeat', `resolve ${MAX_QUOTES_PER_WRITE + 1}`, 'heartbeat'],
    );
  });

  it('turns a Redis failure into a TransientBatchError without resolving what it did not store', async () => {
    const { handler, context, log } = harness({ failWrite: true });
    await assert.rejects(
      handler.handleBatch([record(1, tick(1)), record(2, tick(2))], context),
      (err) => err instanceof TransientBatchError && err.code === 'QUOTE_WRITE_FAILED' && /OOM/.test(err.message),
    );
    assert.deepEqual(log, []);
  });

  it('turns a dead-letter failure into a TransientBatchError before storing or resolving anything', async () => {
    const { handler, context, log } = harness({ failPark: true });
    await assert.rejects(
      handler.handleBatch([record(1, tick(1)), record(2, 'bad')], context),
      (err) => err instanceof TransientBatchError && err.code === 'DEAD_LETTER_WRITE_FAILED' && /does not host/.test(err.message),
    );
    assert.deepEqual(log, []);
  });

  it('stops after the chunk in hand once the partition is revoked or the consumer stops', async () => {
    const { handler, context, log } = harness({ activeFor: 0 });
    const records = Array.from({ length: MAX_QUOTES_PER_WRITE * 2 }, (_, i) => record(i, tick(i)));
    await handler.handleBatch(records, context);
    assert.deepEqual(log.filter((l) => l.startsWith('resolve')), [`resolve ${MAX_QUOTES_PER_WRITE - 1}`]);
  });
});
