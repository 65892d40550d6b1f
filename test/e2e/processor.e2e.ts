import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Quote } from '#app/contracts';
import { consume, produce } from '../support/kafka.js';
import { REDIS_URL, System } from '../support/system.js';

const tick = (symbol: string, seq: number, price = 100): Quote => ({
  symbol,
  price,
  bid: price - 0.01,
  ask: price + 0.01,
  volume: 1000,
  change: 0,
  changePercent: 0,
  timestamp: Date.now(),
  seq,
});

describe('processor against real Kafka and Redis', () => {
  let system: System;
  let redis: Redis;
  let subscriber: Redis;
  const published: Quote[] = [];

  const stored = async (symbol: string) => {
    const json = await redis.hget(`${system.env.REDIS_KEY_PREFIX}quote:{${symbol}}`, 'json');
    return json ? (JSON.parse(json) as Quote) : null;
  };
  const waitForStored = async (symbol: string, seq: number) => {
    for (let i = 0; i < 100; i++) {
      if ((await stored(symbol))?.seq === seq) return;
      await sleep(100);
    }
    assert.fail(`${symbol} seq ${seq} never stored; have ${JSON.stringify(await stored(symbol))}`);
  };

  before(async () => {
    system = await System.start({}, ['processor']);
    redis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    await subscriber.psubscribe(`${system.env.REDIS_KEY_PREFIX}quotes:{*}`);
    subscriber.on('pmessage', (_p, _c, message: string) => published.push(JSON.parse(message) as Quote));
  });

  after(async () => {
    redis?.disconnect();
    subscriber?.disconnect();
    await system?.stop();
  });

  it('stores the latest tick per symbol with a TTL and publishes it on the symbol channel', async () => {
    await produce(system.env.KAFKA_TICKS_TOPIC, [{ key: 'AAPL', value: JSON.stringify(tick('AAPL', 10, 190.5)) }]);
    await waitForStored('AAPL', 10);
    assert.equal((await stored('AAPL'))!.price, 190.5);
    const ttl = await redis.pttl(`${system.env.REDIS_KEY_PREFIX}quote:{AAPL}`);
    assert.ok(ttl > 0 && ttl <= 86_400_000, `stored quote has a TTL, got ${ttl}`);
    await sleep(200);
    assert.ok(published.some((q) => q.symbol === 'AAPL' && q.seq === 10), 'quote published on its channel');
  });

  it('neither stores nor publishes a tick whose seq is not newer than the stored one', async () => {
    await produce(system.env.KAFKA_TICKS_TOPIC, [
      { key: 'MSFT', value: JSON.stringify(tick('MSFT', 50, 400)) },
      { key: 'MSFT', value: JSON.stringify(tick('MSFT', 49, 1)) },
      { key: 'MSFT', value: JSON.stringify(tick('MSFT', 50, 2)) },
      { key: 'MSFT', value: JSON.stringify(tick('MSFT', 51, 401)) },
    ]);
    await waitForStored('MSFT', 51);
    // The hash is read on another connection than the subscriber's: the message may come a little later.
    for (let i = 0; i < 50 && !published.some((q) => q.symbol === 'MSFT' && q.seq === 51); i++) await sleep(100);
    const msft = published.filter((q) => q.symbol === 'MSFT');
    assert.deepEqual(
      msft.map((q) => [q.seq, q.price]),
      [
        [50, 400],
        [51, 401],
      ],
    );
  });

  it('dead-letters records that are not valid ticks, with the reason, and carries on', async () => {
    const poison = [
      { key: 'GOOG', value: 'not json at all' },
      { key: 'GOOG', value: JSON.stringify({ symbol: 'GOOG', price: 10 }) },
      { key: 'GOOG', value: JSON.stringify({ ...tick('GOOG', 5), price: -3 }) },
      { key: 'GOOG', value: JSON.stringify({ ...tick('GOOG', 6), seq: 'six' }) },
    ];
    await produce(system.env.KAFKA_TICKS_TOPIC, [...poison, { key: 'GOOG', value: JSON.stringify(tick('GOOG', 7, 170)) }]);
    await waitForStored('GOOG', 7);
    const dead = await consume(system.env.KAFKA_DLQ_TOPIC, poison.length);
    assert.equal(dead.length, poison.length);
    assert.deepEqual(
      dead.map((m) => m.value!.toString()),
      poison.map((p) => p.value),
    );
    for (const record of dead) {
      assert.ok(record.headers!['dlq-reason']!.toString().length > 0);
      assert.match(record.headers!['dlq-source']!.toString(), new RegExp(`^${system.env.KAFKA_TICKS_TOPIC}\\[\\d+\\]@\\d+$`));
    }
    assert.equal((await system.apps.processor!.health()).status, 200);
  });
});
