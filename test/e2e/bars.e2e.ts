import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { barsKey, historyKey, type Bar, type BarInterval, type Quote } from '#app/contracts';
import { produce } from '../support/kafka.js';
import { referenceBars } from '../support/reference-bars.js';
import { KAFKA_BROKERS, REDIS_URL, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';

const SYMBOL = 'AAPL';
const SEQ0 = 1_790_000_000_000_000;

/** Ticks over three minutes, several a second, prices up and down, the day volume growing unevenly. */
function knownTicks(count: number, from: number): Quote[] {
  const ticks: Quote[] = [];
  let volume = 1_000_000;
  for (let i = 0; i < count; i++) {
    const price = Math.round((100 + 3 * Math.sin(i / 7) + (i % 5) * 0.11) * 100) / 100;
    volume += (i * 37) % 500;
    const timestamp = from + i * 450;
    ticks.push({ symbol: SYMBOL, price, bid: price - 0.01, ask: price + 0.01, volume, change: 0, changePercent: 0, timestamp, seq: SEQ0 + i });
  }
  return ticks;
}

describe('history and OHLC bars written by the processor', () => {
  let system: System;
  let redis: Redis;
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
  const ticks = knownTicks(400, start);

  const storedBars = async (interval: BarInterval): Promise<Bar[]> =>
    (await redis.zrange(barsKey(system.env.REDIS_KEY_PREFIX, interval, SYMBOL), '0', '-1')).map((json) => JSON.parse(json) as Bar);
  const storedSeq = async () => Number(await redis.hget(`${system.env.REDIS_KEY_PREFIX}quote:{${SYMBOL}}`, 'seq'));
  const send = (list: Quote[]) => produce(system.env.KAFKA_TICKS_TOPIC, list.map((t) => ({ key: t.symbol, value: JSON.stringify(t) })));
  const waitForSeq = (seq: number) => waitUntil(`seq ${seq} stored`, async () => (await storedSeq()) === seq, { timeoutMs: 30_000, state: storedSeq });

  before(async () => {
    system = await System.start({ KAFKA_SESSION_TIMEOUT_MS: '6000', HISTORY_MAX_PER_SYMBOL: '1000' }, ['processor']);
    redis = new Redis(REDIS_URL);
  }, { timeout: 120_000 });

  after(async () => {
    redis?.disconnect();
    await system?.stop();
  }, { timeout: 60_000 });

  it('keeps bars equal to the reference even when the processor is killed mid-bar and every tick is redelivered', { timeout: 120_000 }, async (t) => {
    const half = 170; // mid-bar for both intervals
    await send(ticks.slice(0, half));
    await waitForSeq(ticks[half - 1].seq);

    await system.apps.processor!.stop('SIGKILL');
    const topics = new TopicReader(KAFKA_BROKERS);
    const { KAFKA_GROUP_ID: group, KAFKA_TICKS_TOPIC: topic } = system.env;
    await waitUntil('the dead member to leave the group', async () => (await topics.groupMembers(group, topic)).length === 0, { timeoutMs: 60_000, intervalMs: 1000 });
    await topics.rewindGroup(group, topic);
    await send(ticks.slice(half));
    system.apps.processor = await startApp('processor', system.env);
    await waitForSeq(ticks.at(-1)!.seq);

    for (const interval of ['1s', '1m'] as const) {
      const expected = referenceBars(ticks, interval);
      assert.deepEqual(await storedBars(interval), expected, `${interval} bars after the crash and the redelivery`);
      t.diagnostic(`${interval}: ${expected.length} bars, the last open`);
    }
    const minute = await storedBars('1m');
    assert.ok(minute.length >= 3 && minute.slice(0, -1).every((b) => b.closed) && !minute.at(-1)!.closed);
    const [first] = minute;
    const inFirst = ticks.filter((tick) => tick.timestamp < first.start + 60_000);
    assert.equal(first.open, inFirst[0].price, 'open is the first tick');
    assert.equal(first.close, inFirst.at(-1)!.price, 'close is the last tick');
    assert.equal(first.high, Math.max(...inFirst.map((q) => q.price)));
    assert.equal(first.low, Math.min(...inFirst.map((q) => q.price)));
  });

  it('keeps every accepted quote once in the history stream, keyed by seq', async () => {
    const entries = await redis.xrange(historyKey(system.env.REDIS_KEY_PREFIX, SYMBOL), '-', '+');
    assert.deepEqual(entries.map(([id]) => id), ticks.map((q) => `${q.seq}-0`));
    assert.deepEqual(JSON.parse(entries[7][1][1]), ticks[7]);
  });

  it('counts nothing twice when ticks are sent again', { timeout: 60_000 }, async () => {
    const before1m = await storedBars('1m');
    const marker = { ...ticks.at(-1)!, seq: ticks.at(-1)!.seq + 1, timestamp: ticks.at(-1)!.timestamp + 10 };
    await send([...ticks.slice(100, 200), marker]);
    await waitForSeq(marker.seq);
    const after1m = await storedBars('1m');
    assert.deepEqual(after1m.slice(0, -1), before1m.slice(0, -1), 'closed bars unchanged');
    assert.deepEqual(after1m.at(-1), referenceBars([...ticks, marker], '1m').at(-1));
  });

  it('carries the open bars on from their sorted sets when the quote hash does not hold them', { timeout: 60_000 }, async () => {
    // The hash keeps each open bar so that a tick needs no sorted-set read; a hash written before it did
    // (or one that expired while its bars did not) has none, and the bars must carry on all the same.
    const quoteKey = `${system.env.REDIS_KEY_PREFIX}quote:{${SYMBOL}}`;
    assert.ok(await redis.hexists(quoteKey, 'bar:1m'), 'the hash keeps the open 1m bar');
    await redis.hdel(quoteKey, 'bar:1s', 'bar:1m');
    const last = ticks.at(-1)!;
    const more = [1, 2, 3].map((i) => ({ ...last, price: last.price + i / 10, volume: last.volume + 100 * i, seq: last.seq + 1 + i, timestamp: last.timestamp + 10 + 200 * i }));
    await send(more);
    await waitForSeq(more.at(-1)!.seq);
    const marker = { ...last, seq: last.seq + 1, timestamp: last.timestamp + 10 };
    for (const interval of ['1s', '1m'] as const) {
      assert.deepEqual((await storedBars(interval)).at(-1), referenceBars([...ticks, marker, ...more], interval).at(-1), `${interval} open bar`);
    }
  });
});
