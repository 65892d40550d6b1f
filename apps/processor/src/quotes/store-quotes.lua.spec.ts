import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { barsKey, historyKey, quoteKey, type Quote } from '#app/contracts';
import type { RedisClient } from '#app/redis';
import type { TickTrace } from '../trace/tick-trace.js';
import { StateKeys } from '../rebuild/state-keys.js';
import { QuoteStore } from './quote-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NOW = Date.now();

const quote = (symbol: string, seq: number, price = 100): Quote => ({
  symbol,
  price,
  bid: price,
  ask: price,
  volume: seq,
  change: 0,
  changePercent: 0,
  timestamp: NOW + seq,
  seq,
});

/** What Redis holds for a symbol: its quote hash, history stream and bars, to compare before and after. */
async function snapshot(redis: Redis, prefix: string, symbol: string) {
  const kind = async (key: string) => ((await redis.type(key)) === 'zset' ? redis.zrange(key, '0', '-1') : redis.type(key));
  return {
    quote: await redis.hgetall(quoteKey(prefix, symbol)),
    history: (await redis.type(historyKey(prefix, symbol))) === 'stream' ? await redis.xrange(historyKey(prefix, symbol), '-', '+') : null,
    bars1s: await kind(barsKey(prefix, '1s', symbol)),
    bars1m: await kind(barsKey(prefix, '1m', symbol)),
  };
}

describe('the store script against the real Redis, when one symbol’s keys refuse its quotes', () => {
  let redis: Redis;
  let subscriber: Redis;
  let prefix: string;
  let store: QuoteStore;
  const published: string[] = [];

  before(async () => {
    redis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    prefix = `t${randomUUID().slice(0, 8)}:`;
    await subscriber.psubscribe(`${prefix}quotes:*`);
    subscriber.on('pmessage', (_p, channel: string, message: string) => published.push(`${channel.slice(prefix.length)} ${(JSON.parse(message) as Quote).seq}`));
    store = new QuoteStore(redis as unknown as RedisClient, { keyPrefix: prefix, quoteTtlMs: 60_000 }, {
      history: { maxPerSymbol: 100, maxAgeMs: 60_000 },
      barRetentionMs: { '1s': 60_000, '1m': 600_000 },
    }, { observe: () => undefined } as unknown as TickTrace);
    // The data is whole in this Redis run (see RedisState): the script writes only then.
    const runId = /run_id:([0-9a-f]+)/.exec(await redis.info('server'))![1];
    await redis.set(new StateKeys(prefix, false).forSlot(0), runId);
  });

  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    subscriber.disconnect();
    redis.disconnect();
  });

  /** Lets the subscriber receive what the script published. */
  const published$ = async () => {
    await redis.publish(`${prefix}quotes:{FENCE}`, JSON.stringify({ seq: -1 }));
    for (let i = 0; i < 100 && !published.includes('quotes:{FENCE} -1'); i++) await new Promise((r) => setTimeout(r, 10));
    return published.splice(0).filter((p) => !p.includes('FENCE'));
  };

  it('stores and publishes the other symbols of the call when a history stream holds an entry from the future, and writes nothing of that symbol', async () => {
    await store.saveAll([quote('AAPL', 10), quote('GOOG', 10)]);
    await redis.xadd(historyKey(prefix, 'AAPL'), '9999999999999999-0', 'json', '{}', 'ts', String(NOW));
    await published$();
    const before = await snapshot(redis, prefix, 'AAPL');

    const result = await store.saveAll([quote('GOOG', 11), quote('AAPL', 11), quote('AAPL', 12), quote('DIS', 1)]);

    assert.equal(result.fresh, 2);
    assert.deepEqual(result.refused.map((r) => r.symbol), ['AAPL']);
    assert.match(result.refused[0].reason, /XADD is equal or smaller than the target stream top item/);
    assert.deepEqual(await snapshot(redis, prefix, 'AAPL'), before, 'AAPL untouched');
    assert.deepEqual(await published$(), ['quotes:{GOOG} 11', 'quotes:{DIS} 1']);
    assert.equal((await redis.hget(quoteKey(prefix, 'GOOG'), 'seq')), '11');
  });

  it('refuses a symbol whose bar key has the wrong type before writing its quote or history', async () => {
    await store.saveAll([quote('MSFT', 1)]);
    await redis.del(barsKey(prefix, '1m', 'MSFT'));
    await redis.set(barsKey(prefix, '1m', 'MSFT'), 'not a sorted set');
    await published$();
    const before = await snapshot(redis, prefix, 'MSFT');

    const result = await store.saveAll([quote('MSFT', 2), quote('TSLA', 1)]);

    assert.equal(result.fresh, 1);
    assert.deepEqual(result.refused.map((r) => r.symbol), ['MSFT']);
    assert.match(result.refused[0].reason, /^WRONGTYPE/);
    assert.deepEqual(await snapshot(redis, prefix, 'MSFT'), before, 'MSFT untouched');
    assert.deepEqual(await published$(), ['quotes:{TSLA} 1']);
  });

  it('takes replayed seqs of a symbol whose quote hash is gone while its history remains as stale (its history says how far it got), and stores newer ones', async () => {
    await store.saveAll([quote('AMZN', 5), quote('AMZN', 6)]);
    await redis.del(quoteKey(prefix, 'AMZN'));
    await published$();

    const replay = await store.saveAll([quote('AMZN', 5), quote('NFLX', 1)]);
    assert.deepEqual(replay, { fresh: 1, refused: [] }, 'NFLX stored; AMZN 5 stale, neither refused nor stored');
    assert.equal(await redis.exists(quoteKey(prefix, 'AMZN')), 0, 'the replayed seq is not stored as the latest quote');

    const next = await store.saveAll([quote('AMZN', 7)]);
    assert.deepEqual(next, { fresh: 1, refused: [] });
    assert.deepEqual(await published$(), ['quotes:{NFLX} 1', 'quotes:{AMZN} 7']);
  });
});
