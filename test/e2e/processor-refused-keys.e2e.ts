import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Quote } from '#app/contracts';
import { consume, produce } from '../support/kafka.js';
import { REDIS_URL, System } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';

const tick = (symbol: string, seq: number): Quote => ({
  symbol,
  price: 100 + seq,
  bid: 99 + seq,
  ask: 101 + seq,
  volume: 1000 + seq,
  change: 0,
  changePercent: 0,
  timestamp: Date.now(),
  seq,
});

/**
 * A symbol whose history stream holds an entry from the future (what a generator whose clock runs
 * ahead leaves behind) refuses every older seq. The processor must keep that fault with the symbol:
 * its records go to the dead-letter topic with the reason, and the rest of the partition flows.
 */
describe('processor: a symbol whose keys refuse its ticks, against real Kafka and Redis', () => {
  let system: System;
  let redis: Redis;

  const storedSeq = async (symbol: string) => Number(await redis.hget(`${system.env.REDIS_KEY_PREFIX}quote:{${symbol}}`, 'seq'));
  const waitForStored = (symbol: string, seq: number) =>
    waitUntil(`${symbol} seq ${seq} stored`, async () => (await storedSeq(symbol)) >= seq, { timeoutMs: 15_000, state: () => storedSeq(symbol) });
  const send = (ticks: Quote[]) => produce(system.env.KAFKA_TICKS_TOPIC, ticks.map((t) => ({ key: t.symbol, value: JSON.stringify(t) })));

  before(async () => {
    // One partition: AAPL, GOOG and DIS share it, as they shared partition 3 in the report.
    system = await System.start({ KAFKA_TOPIC_PARTITIONS: '1', SYMBOLS: 'AAPL,GOOG,DIS' }, ['processor']);
    redis = new Redis(REDIS_URL);
  });

  after(async () => {
    redis?.disconnect();
    await system?.stop();
  });

  it('dead-letters the refused symbol’s records with the reason while the other symbols of the partition keep flowing and readiness stays up', async () => {
    await send([tick('AAPL', 1), tick('GOOG', 1), tick('DIS', 1)]);
    await waitForStored('DIS', 1);
    await redis.xadd(`${system.env.REDIS_KEY_PREFIX}history:{AAPL}`, '9999999999999999-0', 'json', '{}', 'ts', String(Date.now()));

    await send([tick('AAPL', 2), tick('GOOG', 2), tick('DIS', 2)]);
    await send([tick('GOOG', 3), tick('AAPL', 3), tick('DIS', 3)]);
    await waitForStored('GOOG', 3);
    await waitForStored('DIS', 3);
    assert.equal(await storedSeq('AAPL'), 1, 'AAPL keeps its last stored quote');

    const dead = await consume(system.env.KAFKA_DLQ_TOPIC, 2);
    assert.deepEqual(dead.map((m) => (JSON.parse(m.value!.toString()) as Quote).seq), [2, 3]);
    for (const record of dead) {
      assert.equal(record.key!.toString(), 'AAPL');
      assert.match(record.headers!['dlq-reason']!.toString(), /^QUOTE_REFUSED: .*XADD.*delete the history stream/);
    }
    const health = await system.apps.processor!.health();
    assert.equal(health.status, 200, `readiness: ${JSON.stringify(health.body)}`);
  });
});
