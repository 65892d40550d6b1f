import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { barsKey, historyKey, type Bar, type BarInterval } from '#app/contracts';
import { crashRedis, forgetState, localInfra, reservePorts } from '../support/local-infra.js';
import { referenceBars } from '../support/reference-bars.js';
import { assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG'];
/**
 * How long ticks flow before each crash. The issue asks for a minute at the default rate (10 ticks a
 * symbol a second); 6 s at 50 a second gives the same property to check (about 300 ticks a symbol in
 * several 1 s bars and a 1 min bar, with the AOF's last second in flight) in a tenth of the time.
 */
const FLOW_MS = 6000;

describe('Redis lost under the processor: history and bars rebuilt from Kafka', () => {
  const infra = localInfra();
  let system: System;
  let client: TestClient;
  let redis: Redis;
  let redisOpts: { redisPort: number } | undefined;

  const history = async (symbol: string) =>
    (await redis.xrange(historyKey(system.env.REDIS_KEY_PREFIX, symbol), '-', '+')).map(([id]) => Number(id.split('-')[0]));
  const bars = async (interval: BarInterval, symbol: string) =>
    (await redis.zrange(barsKey(system.env.REDIS_KEY_PREFIX, interval, symbol), '0', '-1')).map((json) => JSON.parse(json) as Bar);
  /** The processor's `state` readiness check: whole or rebuilding, and how many rebuilds it has run. */
  const processorState = async () =>
    ((await system.apps.processor!.health().catch(() => ({ body: {} }))).body as { details?: { state?: { state?: string; rebuilds?: number } } }).details?.state ?? {};

  before(async () => {
    redisOpts = { redisPort: await reservePorts(1, 'FAULTS_REDIS_PORT') };
    const { url } = await (await infra).startRedis(redisOpts);
    system = await System.start({ REDIS_URL: url, TICK_INTERVAL_MS: '20', SYMBOLS: SYMBOLS.join(','), HISTORY_MAX_PER_SYMBOL: '100000' });
    redis = new Redis(url);
    client = await TestClient.connect(system.wsUrl);
    client.send({ action: 'subscribe', payload: { symbols: SYMBOLS } });
    await client.expect('subscribed');
    await client.expect('snapshot');
  }, { timeout: 120_000 });

  after(async () => {
    client?.close();
    redis?.disconnect();
    await system?.stop();
    if (redisOpts) {
      await (await infra).stopRedis(redisOpts);
      await forgetState(redisOpts);
    }
  }, { timeout: 60_000 });

  it('stopped and started again as `npm start` and Ctrl-C do (apps SIGTERMed, Redis stopped and started by the infra script): the history and bars from before are there', { timeout: 120_000 }, async () => {
    system.apps.generator ??= await startApp('generator', system.env);
    await sleep(2000);
    const names = ['generator', 'gateway', 'processor'] as const;
    client.close();
    for (const name of names) {
      assert.equal((await system.apps[name]!.stop('SIGTERM')).code, 0, `${name} exits 0`);
      delete system.apps[name];
    }
    const { ticks } = await new TopicReader(KAFKA_BROKERS).read(system.env.KAFKA_TICKS_TOPIC);
    const before = new Map(await Promise.all(SYMBOLS.map(async (s) => [s, { history: await history(s), bars: await bars('1m', s) }] as const)));
    await (await infra).stopRedis(redisOpts!);
    await (await infra).startRedis(redisOpts!);
    for (const symbol of SYMBOLS) {
      assert.deepEqual(await history(symbol), ticks.get(symbol)!.map((q) => q.seq), `${symbol}: history after the restart`);
      assert.deepEqual(await history(symbol), before.get(symbol)!.history);
      assert.deepEqual(await bars('1m', symbol), before.get(symbol)!.bars, `${symbol}: 1m bars after the restart`);
    }
    for (const name of [...names].reverse()) system.apps[name] = await startApp(name, system.env);
    client = await TestClient.connect(system.wsUrl);
    client.send({ action: 'subscribe', payload: { symbols: SYMBOLS } });
    await client.expect('subscribed');
    await client.expect('snapshot');
  });

  for (const [how, dropData] of [
    ['restarted from its append-only file (up to a second behind)', false],
    ['restarted with its data files gone (a new node)', true],
  ] as const) {
    it(`SIGKILLed and ${how}: each symbol's history holds every tick once across the crash, its bars equal the reference, and the client sees no seq go backwards`, { timeout: 120_000 }, async (t) => {
      system.apps.generator ??= await startApp('generator', system.env);
      await sleep(FLOW_MS);
      const rebuildsBefore = (await processorState()).rebuilds ?? 0;
      await crashRedis(redisOpts!, dropData);
      const crashedAt = Date.now();
      await (await infra).startRedis(redisOpts!);
      await waitUntil('the processor to rebuild Redis from Kafka', async () => {
        const { state, rebuilds = 0 } = await processorState();
        return state === 'whole' && rebuilds > rebuildsBefore;
      }, {
        timeoutMs: 60_000,
        state: () => system.apps.processor!.health().then((h) => h.body, String),
      });
      t.diagnostic(`state whole again ${Date.now() - crashedAt} ms after the crash`);
      await sleep(1000); // live ticks after the rebuild
      assert.equal((await system.apps.generator.stop('SIGTERM')).code, 0);
      delete system.apps.generator;

      const { ticks } = await new TopicReader(KAFKA_BROKERS).read(system.env.KAFKA_TICKS_TOPIC);
      for (const symbol of SYMBOLS) {
        const produced = ticks.get(symbol)!;
        await waitUntil(`${symbol}'s history to reach its last tick`, async () => (await history(symbol)).at(-1) === produced.at(-1)!.seq, {
          timeoutMs: 20_000,
          state: async () => ({ last: produced.at(-1)!.seq, stored: (await history(symbol)).at(-1) }),
        });
        assert.deepEqual(await history(symbol), produced.map((q) => q.seq), `${symbol}: history holds every tick once, in order`);
        for (const interval of ['1s', '1m'] as const) {
          assert.deepEqual(await bars(interval, symbol), referenceBars(produced, interval), `${symbol}: ${interval} bars`);
        }
      }
      t.diagnostic(`${ticks.get('AAPL')!.length} ticks of AAPL, ${(await bars('1s', 'AAPL')).length} 1 s bars`);
      assertStrictlyIncreasing(seqsSeenBy(client), 'client across the Redis crash');
      assert.equal(client.socket.readyState, client.socket.OPEN, 'the client kept its socket');
    });
  }
});
