import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Quote } from '#app/contracts';
import { produce } from '../support/kafka.js';
import { KAFKA_BROKERS, REDIS_URL, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'];
const PER_SYMBOL = 20;
const SEQ0 = 1_800_000_000_000_000;

function ticks(): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (let i = 0; i < PER_SYMBOL; i++) {
    for (const symbol of SYMBOLS) {
      const tick: Quote = { symbol, price: 100 + i, bid: 99.99 + i, ask: 100.01 + i, volume: 1000 + i, change: 0, changePercent: 0, timestamp: Date.now(), seq: SEQ0 + i };
      out.push({ key: symbol, value: JSON.stringify(tick) });
    }
  }
  return out;
}

describe('the processor commits offsets of stored ticks on an interval and on its way out', () => {
  const topics = new TopicReader(KAFKA_BROKERS);
  const redis = new Redis(REDIS_URL);
  let system: System | undefined;

  after(async () => {
    redis.disconnect();
    await system?.stop();
  }, { timeout: 60_000 });

  const storedSeqs = async (s: System) =>
    Promise.all(SYMBOLS.map(async (symbol) => Number(await redis.hget(`${s.env.REDIS_KEY_PREFIX}quote:{${symbol}}`, 'seq'))));
  const allStored = async (s: System) => (await storedSeqs(s)).every((seq) => seq === SEQ0 + PER_SYMBOL - 1);
  const committedSum = async (s: System) => [...(await topics.committedOffsets(s.env.KAFKA_GROUP_ID, s.env.KAFKA_TICKS_TOPIC)).values()].reduce((a, b) => a + b, 0);

  it('commits nothing between intervals, and everything it stored when stopped with SIGTERM', { timeout: 120_000 }, async () => {
    system = await System.start({ PROCESSOR_COMMIT_INTERVAL_MS: '60000' }, ['processor']);
    await produce(system.env.KAFKA_TICKS_TOPIC, ticks());
    await waitUntil('every tick stored', () => allStored(system!), { timeoutMs: 30_000, state: () => storedSeqs(system!) });
    const end = await topics.highWatermarkSum(system.env.KAFKA_TICKS_TOPIC);
    assert.equal(end, SYMBOLS.length * PER_SYMBOL);
    assert.equal(await committedSum(system), 0, 'no commit after each batch: the first interval has not passed');

    const exit = await system.apps.processor!.stop('SIGTERM');
    assert.equal(exit.code, 0);
    assert.equal(await committedSum(system), end, 'the last commit on the way out covers every stored tick');
    await system.stop();
    system = undefined;
  });

  it('with the default interval, commits what it stored while no more ticks come', { timeout: 120_000 }, async () => {
    system = await System.start({}, ['processor']);
    await produce(system.env.KAFKA_TICKS_TOPIC, ticks());
    await waitUntil('every tick stored', () => allStored(system!), { timeoutMs: 30_000, state: () => storedSeqs(system!) });
    const end = await topics.highWatermarkSum(system.env.KAFKA_TICKS_TOPIC);
    await waitUntil('the stored ticks committed', async () => (await committedSum(system!)) === end, { timeoutMs: 10_000, state: () => committedSum(system!) });
  });
});
