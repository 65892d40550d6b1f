import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Quote } from '#app/contracts';
import type { QuoteStore, SaveResult } from '../quotes/quote-store.js';
import type { KafkaBatchContext, KafkaRecord } from '../transport/kafka-batch.context.js';
import { TransientBatchError } from '../transport/transient-batch.error.js';
import type { DeadLetters, RejectedRecord } from './dead-letters.js';
import { MAX_QUOTES_PER_WRITE, TickHandler } from './tick-handler.js';
import type { TickTrace } from '../trace/tick-trace.js';

const tick = (seq: number, symbol = 'AAPL') => ({ symbol, price: 100, bid: 99.99, ask: 100.01, volume: 1, change: 0, changePercent: 0, timestamp: 1, seq });
const record = (offset: number, value: unknown): KafkaRecord => ({ offset: String(offset), key: null, raw: null, value });

/** A handler over fakes that log, in one list, every write, park, heartbeat and resolved offset in the order they happen. */
function harness({ failWrite = false, failPark = false, activeFor = Infinity, refuse = '' } = {}) {
  const log: string[] = [];
  const store = {
    async saveAll(quotes: Quote[]): Promise<SaveResult> {
      await Promise.resolve();
      if (failWrite) throw new Error('OOM command not allowed');
      log.push(`write ${quotes.map((q) => q.seq).join(',')}`);
      if (!quotes.some((q) => q.symbol === refuse)) return { fresh: quotes.length, refused: [] };
      const reason = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
      return { fresh: quotes.filter((q) => q.symbol !== refuse).length, refused: [{ symbol: refuse, reason }] };
    },
  };
  const deadLetters = {
    async parkAll(_context: KafkaBatchContext, rejected: RejectedRecord[]) {
      await Promise.resolve();
      if (failPark) throw new Error('This server does not host this topic-partition');
      log.push(`park ${rejected.map((r) => r.record.offset).join(',')}`);
      parked.push(...rejected);
    },
  };
  const parked: RejectedRecord[] = [];
  let checks = 0;
  const context = {
    getTopic: () => 'ticks',
    getPartition: () => 0,
    resolveOffset: (offset: string) => log.push(`resolve ${offset}`),
    heartbeat: async () => void log.push('heartbeat'),
    keepAlive: <T>(work: Promise<T>) => work,
    isActive: () => ++checks <= activeFor,
    times: { fetchedAt: 0, startedAt: 0 },
  } as unknown as KafkaBatchContext;
  const trace = { observe: () => undefined } as unknown as TickTrace;
  const handler = new TickHandler(store as unknown as QuoteStore, deadLetters as unknown as DeadLetters, trace);
  return { handler, context, log, parked };
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

  it("dead-letters the ticks of a symbol whose keys refused them, with Redis's reason, before resolving past them", async () => {
    const { handler, context, log, parked } = harness({ refuse: 'AAPL' });
    await handler.handleBatch([record(1, tick(1, 'GOOG')), record(2, tick(7, 'AAPL')), record(3, tick(2, 'DIS')), record(4, tick(8, 'AAPL'))], context);
    assert.deepEqual(log, ['write 1,7,2,8', 'park 2,4', 'heartbeat', 'resolve 4', 'heartbeat']);
    assert.match(parked[0].reason, /^QUOTE_REFUSED: ERR The ID specified in XADD.*delete the history stream/);
    assert.deepEqual([handler.stored, handler.stale], [2, 0]);
  });

  it('retries the batch, resolving nothing, when the dead-letter send of refused ticks fails', async () => {
    const { handler, context, log } = harness({ refuse: 'AAPL', failPark: true });
    await assert.rejects(
      handler.handleBatch([record(1, tick(1, 'GOOG')), record(2, tick(7, 'AAPL'))], context),
      (err) => err instanceof TransientBatchError && err.code === 'DEAD_LETTER_WRITE_FAILED',
    );
    assert.deepEqual(log, ['write 1,7']);
  });
});
