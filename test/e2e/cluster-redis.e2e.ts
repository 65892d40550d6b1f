import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quoteChannel, quoteKey } from '#app/contracts';
import type { AppProcess } from '../support/app-process.js';
import { TestRedisCluster } from '../support/redis-cluster.js';
import { assertStrictlyIncreasing, highest, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { startTwoOfEach, stopTwoOfEach, type Subscription, type TwoOfEach } from '../support/two-of-each.js';
import type { TestClient } from '../support/ws-client.js';

/** Spread over the three shards of a fresh cluster: AMZN on the first, TSLA, AMD and INTC on the second, AAPL and MSFT on the third. */
const SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'TSLA', 'AMD', 'INTC'];
const SUBSCRIPTIONS: Subscription[] = [
  { gateway: 0, symbols: SYMBOLS },
  { gateway: 1, symbols: SYMBOLS },
  { gateway: 0, symbols: ['AAPL', 'TSLA'] },
  { gateway: 1, symbols: ['AMZN', 'INTC', 'MSFT'] },
];

const healthy = async (app: AppProcess) => (await app.health().catch(() => ({ status: 0 }))).status === 200;

describe('the pipeline on a Redis Cluster (three masters, a replica each)', () => {
  let cluster: TestRedisCluster;
  let setup: TwoOfEach | undefined;
  let system: System;
  let processors: AppProcess[];
  let gateways: AppProcess[];
  let clients: TestClient[];

  before(async () => {
    cluster = await TestRedisCluster.start();
    setup = await startTwoOfEach(
      { REDIS_CLUSTER_NODES: cluster.nodes, SYMBOLS: SYMBOLS.join(','), KAFKA_TOPIC_PARTITIONS: '6', TICK_INTERVAL_MS: '50' },
      SUBSCRIPTIONS,
    );
    ({ system, processors, gateways, clients } = setup);
    system.apps.generator = await startApp('generator', system.env);
  }, { timeout: 180_000 });

  after(async () => {
    await stopTwoOfEach(setup);
    await cluster?.stop();
  }, { timeout: 60_000 });

  it('keeps each symbol in its own slot, on the shard that publishes it (sharded pub/sub), and every client gets its symbols in order', { timeout: 60_000 }, async (t) => {
    for (const [i, { symbols }] of SUBSCRIPTIONS.entries()) {
      await waitUntil(`client ${i} to receive 10 updates of each of its symbols`, () => symbols.every((s) => (seqsSeenBy(clients[i]).get(s)?.length ?? 0) >= 10), {
        timeoutMs: 30_000,
        state: () => highest(seqsSeenBy(clients[i])),
      });
    }
    const prefix = system.env.REDIS_KEY_PREFIX;
    const masters = new Set<number>();
    for (const symbol of SYMBOLS) {
      const master = await cluster.masterOf(quoteKey(prefix, symbol));
      masters.add(master);
      const node = cluster.node(master);
      const stored = JSON.parse((await node.hget(quoteKey(prefix, symbol), 'json'))!) as { seq: number };
      assert.ok(stored.seq > 0, `${symbol}'s quote is stored on the master of its slot, ${master}`);
      const [, sharded] = (await node.call('PUBSUB', 'SHARDNUMSUB', quoteChannel(prefix, symbol))) as [string, number];
      const [, classic] = (await node.call('PUBSUB', 'NUMSUB', quoteChannel(prefix, symbol))) as [string, number];
      assert.equal(sharded, 2, `both gateways hold a sharded subscription to ${symbol} on ${master}`);
      assert.equal(classic, 0, `no classic subscription to ${symbol}`);
    }
    assert.equal(masters.size, 3, 'the symbols are spread over all three shards');
    for (const [i, client] of clients.entries()) assertStrictlyIncreasing(seqsSeenBy(client), `client ${i}`);
    t.diagnostic(`symbols on masters ${[...masters].join(', ')}`);
  });

  it('a master killed under load: its replica takes over, apps carry on without a restart, no seq goes backwards, every subscription delivers again', { timeout: 180_000 }, async (t) => {
    const prefix = system.env.REDIS_KEY_PREFIX;
    const bySymbol = new Map<string, number>();
    for (const symbol of SYMBOLS) bySymbol.set(symbol, await cluster.masterOf(quoteKey(prefix, symbol)));
    const victim = bySymbol.get('TSLA')!;
    const onVictim = SYMBOLS.filter((s) => bySymbol.get(s) === victim);
    const seenBefore = clients.map((c) => c.received.length);
    const apps = [...processors, ...gateways];

    await cluster.kill(victim);
    const killedAt = Date.now();
    const successor = await waitUntil(`a replica to take over the slots of master ${victim}`, async () => {
      const master = await cluster.masterOf(quoteKey(prefix, 'TSLA'));
      return master !== victim && master;
    }, { timeoutMs: 30_000, intervalMs: 250, state: () => cluster.topology() });
    const promotedAfter = Date.now() - killedAt;

    // Each client gets an update of every one of its symbols again, the victim's included, on the same socket.
    const resumedAfter: number[] = [];
    for (const [i, { symbols }] of SUBSCRIPTIONS.entries()) {
      await waitUntil(`client ${i} to get updates of all its symbols after the kill`, () => {
        const fresh = new Set(clients[i].received.slice(seenBefore[i]).flatMap((m) => (m.type === 'update' ? [m.payload.symbol] : [])));
        return symbols.every((s) => fresh.has(s));
      }, { timeoutMs: 60_000, intervalMs: 100, state: () => clients[i].received.slice(-3) });
      resumedAfter.push(Date.now() - killedAt);
    }
    for (const app of apps) {
      await waitUntil(`${app.name} on :${app.port} to be ready again`, () => healthy(app), { timeoutMs: 30_000, state: () => app.health().catch(String) });
    }
    t.diagnostic(`master ${victim} (${onVictim.join(', ')}) killed; replica ${successor} promoted after ${promotedAfter} ms; ` +
      `every client had all its symbols again after ${Math.max(...resumedAfter)} ms (per client: ${resumedAfter.join(', ')})`);

    // The apps carried on: same processes, and every client ends on the last tick produced, having never gone backwards.
    for (const app of apps) assert.doesNotThrow(() => process.kill(app.pid, 0), `${app.name} on :${app.port} still runs, not restarted`);
    const generatorExit = await system.apps.generator!.stop('SIGTERM');
    assert.equal(generatorExit.code, 0);
    const lastProduced = highest((await new TopicReader(KAFKA_BROKERS).read(system.env.KAFKA_TICKS_TOPIC)).seqs);
    for (const [i, { symbols }] of SUBSCRIPTIONS.entries()) {
      await waitUntil(`client ${i} to receive the last seq of its symbols`, () => {
        const seen = highest(seqsSeenBy(clients[i]));
        return symbols.every((s) => seen.get(s) === lastProduced.get(s));
      }, { timeoutMs: 30_000, state: () => ({ expected: lastProduced, seen: highest(seqsSeenBy(clients[i])) }) });
      assertStrictlyIncreasing(seqsSeenBy(clients[i]), `client ${i} across the failover`);
      assert.equal(clients[i].socket.readyState, clients[i].socket.OPEN, `client ${i} kept its socket`);
    }
  });
});
