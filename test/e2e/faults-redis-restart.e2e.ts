import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { forgetState, localInfra, reservePorts } from '../support/local-infra.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertStrictlyIncreasing, highest, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];
/** Long enough for both apps' reconnect back-off to grow and the processor's Redis calls to fail. */
const OUTAGE_MS = 3000;

const healthStatus = (app: AppProcess) => app.health().then((h) => h.status, () => 0);

describe('Redis restarted under the gateway and the processor', () => {
  const infra = localInfra();
  let system: System;
  let client: TestClient;
  let watcher: QuoteWatcher;
  let redis: { redisPort: number } | undefined;

  before(async () => {
    redis = { redisPort: await reservePorts(1, 'FAULTS_REDIS_PORT') };
    const { url } = await (await infra).startRedis(redis);
    system = await System.start({ REDIS_URL: url, TICK_INTERVAL_MS: '20', SYMBOLS: SYMBOLS.join(',') });
    watcher = await QuoteWatcher.start(url, system.env.REDIS_KEY_PREFIX);
    client = await TestClient.connect(system.wsUrl);
    client.send({ action: 'subscribe', payload: { symbols: SYMBOLS } });
    await client.expect('subscribed');
    await client.expect('snapshot');
  }, { timeout: 120_000 });

  after(async () => {
    client?.close();
    watcher?.stop();
    await system?.stop();
    if (redis) {
      await (await infra).stopRedis(redis);
      await forgetState(redis);
    }
  }, { timeout: 60_000 });

  it('reports 503 (health and REST) while Redis is down and 200 once it is back; the client keeps its socket and subscriptions and gets updates again', { timeout: 180_000 }, async (t) => {
    const { gateway, processor } = system.apps as Required<System['apps']>;
    await waitUntil('updates for every symbol before the outage', () => seqsSeenBy(client).size === SYMBOLS.length, { timeoutMs: 15_000 });

    await (await infra).stopRedis(redis!);
    const stoppedAt = Date.now();
    await waitUntil('gateway and processor /health to answer 503', async () => (await healthStatus(gateway)) === 503 && (await healthStatus(processor)) === 503, {
      timeoutMs: 10_000,
      state: async () => ({ gateway: await gateway.health().catch(String), processor: await processor.health().catch(String) }),
    });
    const down = (await gateway.health()).body as { error?: Record<string, unknown> };
    assert.ok(down.error && 'redis' in down.error, `gateway names Redis as down: ${JSON.stringify(down)}`);
    const rest = await fetch(`http://127.0.0.1:${gateway.port}/api/quotes?symbols=AAPL`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(rest.status, 503, 'REST answers 503 while Redis is down, not 500');
    assert.equal(rest.headers.get('retry-after'), '2');
    const restBody = (await rest.json()) as Record<string, unknown>;
    assert.deepEqual([restBody.statusCode, restBody.error], [503, 'Service Unavailable']);
    assert.match(String(restBody.message), /cannot reach right now; retry in 2 s/);
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      assert.equal(await healthStatus(gateway), 503, 'gateway /health stays 503 while Redis is down');
      assert.equal(await healthStatus(processor), 503, 'processor /health stays 503 while Redis is down');
      await sleep(500);
    }
    const seenBeforeRestart = client.received.length;

    await (await infra).startRedis(redis!);
    t.diagnostic(`Redis was down for ${Date.now() - stoppedAt} ms`);
    await waitUntil('gateway and processor /health to answer 200 again', async () => (await healthStatus(gateway)) === 200 && (await healthStatus(processor)) === 200, {
      timeoutMs: 20_000,
      state: async () => ({ gateway: await gateway.health().catch(String), processor: await processor.health().catch(String) }),
    });
    const back = Date.now();
    const restBack = await fetch(`http://127.0.0.1:${gateway.port}/api/quotes?symbols=AAPL`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(restBack.status, 200, 'REST answers again once Redis is back');
    await waitUntil('updates for every symbol on the same socket after the restart', () => {
      const symbols = new Set(client.received.slice(seenBeforeRestart).flatMap((m) => (m.type === 'update' ? [m.payload.symbol] : [])));
      return symbols.size === SYMBOLS.length;
    }, { timeoutMs: 20_000, state: () => client.received.slice(-3) });
    t.diagnostic(`updates for every symbol ${Date.now() - back} ms after /health turned 200`);

    assert.equal(client.socket.readyState, client.socket.OPEN, 'the client never had to reconnect');
    assert.equal(client.received.filter((m) => m.type === 'subscribed').length, 1, 'the client subscribed once');
    assertStrictlyIncreasing(seqsSeenBy(client), 'client across the Redis restart');

    // The processor caught up on what it could not store while Redis was away.
    const generatorExit = await system.apps.generator!.stop('SIGTERM');
    assert.equal(generatorExit.code, 0);
    const lastProduced = highest((await new TopicReader(KAFKA_BROKERS).read(system.env.KAFKA_TICKS_TOPIC)).seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq produced', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 20_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    await waitUntil('the client to receive the last seq of every symbol', () => {
      const seen = highest(seqsSeenBy(client));
      return [...lastProduced].every(([symbol, seq]) => seen.get(symbol) === seq);
    }, { timeoutMs: 10_000, state: () => highest(seqsSeenBy(client)) });
  });
});
