import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { forgetState, localInfra, reservePorts } from '../support/local-infra.js';
import { assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { System } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'META', 'NVDA', 'NFLX'];
const ASKED_DURING_OUTAGE = ['META', 'NVDA', 'NFLX'];
const OUTAGE_MS = 4000;

const symbolsUpdated = (client: TestClient, from = 0) =>
  new Set(client.received.slice(from).flatMap((m) => (m.type === 'update' ? [m.payload.symbol] : [])));

describe('subscribing while Redis is down', () => {
  const infra = localInfra();
  let system: System;
  const clients: TestClient[] = [];
  let redis: { redisPort: number } | undefined;

  const connect = async () => {
    const client = await TestClient.connect(system.wsUrl);
    clients.push(client);
    return client;
  };

  before(async () => {
    redis = { redisPort: await reservePorts(1, 'FAULTS_REDIS_PORT') };
    const { url } = await (await infra).startRedis(redis);
    system = await System.start({ REDIS_URL: url, TICK_INTERVAL_MS: '20', SYMBOLS: SYMBOLS.join(',') });
  }, { timeout: 120_000 });

  after(async () => {
    for (const client of clients) client.close();
    await system?.stop();
    if (redis) {
      await (await infra).stopRedis(redis);
      await forgetState(redis);
    }
  }, { timeout: 60_000 });

  it('honours every subscribe made during the outage once Redis is back, for that client and for new ones', { timeout: 120_000 }, async (t) => {
    const early = await connect();
    early.send({ action: 'subscribe', payload: { symbols: ['AAPL'] } });
    await early.expect('subscribed');
    await waitUntil('AAPL updates before the outage', () => symbolsUpdated(early).has('AAPL'), { timeoutMs: 15_000 });

    await (await infra).stopRedis(redis!);
    const stoppedAt = Date.now();
    for (const symbol of ASKED_DURING_OUTAGE) {
      early.send({ action: 'subscribe', payload: { symbols: [symbol] } });
      await sleep(OUTAGE_MS / (ASKED_DURING_OUTAGE.length + 1));
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    const before = early.received.length;
    await (await infra).startRedis(redis!);
    const back = Date.now();

    await waitUntil('updates of every symbol asked for during the outage', () => ASKED_DURING_OUTAGE.every((s) => symbolsUpdated(early, before).has(s)), {
      timeoutMs: 20_000,
      state: () => ({ updated: [...symbolsUpdated(early, before)], last: early.received.slice(-4) }),
    });
    t.diagnostic(`every symbol asked for during a ${OUTAGE_MS} ms outage flowing ${Date.now() - back} ms after Redis came back`);
    assertStrictlyIncreasing(seqsSeenBy(early), 'the client that subscribed during the outage');

    const late = await connect();
    late.send({ action: 'subscribe', payload: { symbols: ASKED_DURING_OUTAGE } });
    await late.expect('subscribed');
    const snapshot = await late.expect('snapshot');
    assert.deepEqual(snapshot.payload.quotes.map((q) => q.symbol).sort(), [...ASKED_DURING_OUTAGE].sort());
    await waitUntil('a new client to get updates of those symbols', () => ASKED_DURING_OUTAGE.every((s) => symbolsUpdated(late).has(s)), {
      timeoutMs: 10_000,
      state: () => late.received.slice(-4),
    });
  });
});
