import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { haproxyScript, prometheusDir, prometheusScript, promQuery, type RunningHaproxy, type RunningPrometheus } from '../support/cluster-services.js';
import { reservePorts } from '../support/local-infra.js';
import { metric } from '../support/metrics.js';
import { TestRedisCluster } from '../support/redis-cluster.js';
import { assertSameSeqs, highest, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'TSLA', 'AMD', 'INTC'];
/** Two clients per gateway once HAProxy has spread them (leastconn); each watches some symbols. */
const WATCHES = [SYMBOLS, ['AAPL', 'TSLA'], ['AMZN', 'INTC', 'MSFT'], SYMBOLS, ['AMD'], ['TSLA', 'AAPL', 'AMZN']];

/** Seqs a client was sent per symbol over all the connections it had, in arrival order. */
function seenOver(connections: TestClient[]): Map<string, number[]> {
  const all = new Map<string, number[]>();
  for (const connection of connections) {
    for (const [symbol, seqs] of seqsSeenBy(connection)) all.set(symbol, [...(all.get(symbol) ?? []), ...seqs]);
  }
  return all;
}

describe('the scaled topology: Redis Cluster, two processors, three gateways behind HAProxy', () => {
  let cluster: TestRedisCluster;
  let system: System;
  let processors: AppProcess[];
  let gateways: AppProcess[];
  let haproxy: RunningHaproxy;
  let prometheus: RunningPrometheus | undefined;
  let ports: { haproxy: number; stats: number; prometheus: number };
  /** Per watcher, its connections in order (a new one after its gateway went away). */
  const connections: TestClient[][] = [];

  const connectThroughHaproxy = async (symbols: string[], since?: Record<string, number>) => {
    const client = await TestClient.connect(`ws://127.0.0.1:${ports.haproxy}/ws`);
    client.send({ action: 'subscribe', payload: since ? { symbols, since } : { symbols } });
    await client.expect('subscribed');
    await client.next((m) => m.type === 'snapshot');
    return client;
  };

  before(async () => {
    cluster = await TestRedisCluster.start();
    const base = await reservePorts(3, 'CLUSTER_LB_PORT');
    ports = { haproxy: base, stats: base + 1, prometheus: base + 2 };
    system = await System.start(
      { REDIS_CLUSTER_NODES: cluster.nodes, SYMBOLS: SYMBOLS.join(','), KAFKA_TOPIC_PARTITIONS: '6', TICK_INTERVAL_MS: '50', WS_TRUSTED_PROXIES: '127.0.0.1' },
      ['processor', 'gateway'],
    );
    processors = [system.apps.processor!, await startApp('processor', system.env)];
    gateways = [system.apps.gateway!, await startApp('gateway', system.env), await startApp('gateway', system.env)];
    haproxy = await (await haproxyScript()).startHaproxy({
      port: ports.haproxy,
      statsPort: ports.stats,
      gateways: gateways.map((g) => `127.0.0.1:${g.port}`),
    });
    const states = await haproxyScript();
    await waitUntil('HAProxy to see all three gateways up', async () => Object.values(await states.gatewayStates(haproxy.statsUrl)).every((s) => s === 'UP'), {
      timeoutMs: 20_000,
      state: () => states.gatewayStates(haproxy.statsUrl),
    });
    for (const symbols of WATCHES) connections.push([await connectThroughHaproxy(symbols)]);
    system.apps.generator = await startApp('generator', system.env);
  }, { timeout: 180_000 });

  after(async () => {
    for (const client of connections.flat()) client.close();
    await prometheus?.stop();
    await Promise.all([system?.stop(), processors?.[1]?.stop(), gateways?.[1]?.stop(), gateways?.[2]?.stop()]);
    await haproxy?.stop();
    await cluster?.stop();
  }, { timeout: 60_000 });

  it('spreads the sockets over the three gateways, and every client gets every update of its symbols in order', { timeout: 60_000 }, async () => {
    const perGateway = await Promise.all(gateways.map((g) => metric(g.port, 'gateway_connections')));
    assert.deepEqual(perGateway, [2, 2, 2], 'HAProxy put two of the six sockets on each gateway');
    for (const [i, symbols] of WATCHES.entries()) {
      await waitUntil(`client ${i} to get 10 updates of each of its symbols`, () => symbols.every((s) => (seqsSeenBy(connections[i][0]).get(s)?.length ?? 0) >= 10), {
        timeoutMs: 30_000,
        state: () => highest(seqsSeenBy(connections[i][0])),
      });
    }
    // Everything so far, per symbol, is the same run of seqs for every client: none skipped, none repeated.
    const seenSoFar = connections.map((c) => seqsSeenBy(c[0]));
    const kafka = await new TopicReader(KAFKA_BROKERS).read(system.env.KAFKA_TICKS_TOPIC);
    for (const [i, symbols] of WATCHES.entries()) {
      const seen = seenSoFar[i];
      const expected = new Map(symbols.map((s) => [s, kafka.seqs.get(s)!.filter((seq) => seq <= highest(seen).get(s)!)]));
      assertSameSeqs(seen, expected, `client ${i}`);
    }
  });

  it('gives the gateways the address HAProxy saw, not one the client put in X-Forwarded-For', { timeout: 30_000 }, async () => {
    const spoofing = await TestClient.connect(`ws://127.0.0.1:${ports.haproxy}/ws`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    for (let i = 0; i < 100; i++) spoofing.send({ action: 'ping' });
    assert.equal((await spoofing.closed).code, 1008, 'closed for flooding');
    const logs = () => gateways.map((g) => g.output).join('\n');
    await waitUntil('a gateway to log the close with the address', () => /\(127\.0\.0\.1\) closed for repeated rate limiting/.test(logs()), {
      timeoutMs: 10_000,
      state: () => logs().slice(-1000),
    });
    assert.ok(!logs().includes('203.0.113.9'), 'the address the client claimed is nowhere');
  });

  it('serves the watchlist page through HAProxy', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.haproxy}/`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /<script/);
  });

  it("Prometheus scrapes every app and HAProxy with the repo's config, and has every metric the Grafana dashboard charts", { timeout: 120_000 }, async (t) => {
    prometheus = await (await prometheusScript()).startPrometheus({
      port: ports.prometheus,
      dir: prometheusDir(ports.prometheus),
      targets: {
        generator: [`127.0.0.1:${system.apps.generator!.port}`],
        processor: processors.map((p) => `127.0.0.1:${p.port}`),
        gateway: gateways.map((g) => `127.0.0.1:${g.port}`),
        haproxy: [`127.0.0.1:${ports.stats}`],
      },
    });
    const url = prometheus.url;
    await waitUntil('Prometheus to have scraped all seven targets', async () => (await promQuery(url, 'up == 1')).length === 7, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      state: () => promQuery(url, 'up'),
    });
    const perApp = {
      generator: 'generator_ticks_produced_total',
      processor: 'processor_ticks_stored_total',
      gateway: 'gateway_connections',
      haproxy: 'haproxy_backend_active_servers{proxy="gateways"}',
    };
    for (const [job, query] of Object.entries(perApp)) {
      const samples = await waitUntil(`${query} from every ${job} instance`, async () => {
        const result = await promQuery(url, query);
        const instances = { generator: 1, processor: 2, gateway: 3, haproxy: 1 }[job];
        return result.length === instances && result.every((r) => r.labels.job === job) && result;
      }, { timeoutMs: 30_000, intervalMs: 1000, state: () => promQuery(url, query) });
      t.diagnostic(`${query}: ${samples.map((s) => `${s.labels.instance}=${s.value}`).join(', ')}`);
    }
    assert.equal((await promQuery(url, 'sum(gateway_connections)'))[0].value, 6);

    const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/grafana/stock-watchlist.json', import.meta.url), 'utf8')) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const known = new Set(((await (await fetch(`${url}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets ?? []) {
        const names = expr.match(/\b(?:generator|processor|gateway|haproxy)_[a-z_]+\b/g) ?? [];
        assert.ok(names.length > 0, `panel "${panel.title}" charts a metric of the topology: ${expr}`);
        for (const name of names) assert.ok(known.has(name), `panel "${panel.title}": Prometheus has no ${name}`);
        await waitUntil(`panel "${panel.title}": ${expr} to have data`, async () => (await promQuery(url, expr)).length > 0, { timeoutMs: 30_000, intervalMs: 1000 });
      }
    }
  });

  it('a gateway stopped: HAProxy takes it out, its clients reconnect through HAProxy, recover with since, and miss nothing', { timeout: 120_000 }, async (t) => {
    const lb = await haproxyScript();
    const stopped = gateways[1];
    const opened = connections.map((c) => c[0].received.length);
    const exit = await stopped.stop('SIGTERM');
    assert.equal(exit.code, 0);
    await waitUntil('HAProxy to mark the stopped gateway down', async () => (await lb.gatewayStates(haproxy.statsUrl))['gateway-2']?.startsWith('DOWN'), {
      timeoutMs: 20_000,
      state: () => lb.gatewayStates(haproxy.statsUrl),
    });
    const dropped = connections.flatMap((c, i) => (c[0].socket.readyState === c[0].socket.CLOSED ? [i] : []));
    assert.equal(dropped.length, 2, `the two clients of the stopped gateway were closed (${dropped})`);
    for (const i of dropped) assert.equal((await connections[i][0].closed).code, 1001, 'closed as going away');

    const reconnectedAt = Date.now();
    for (const i of dropped) {
      const since = Object.fromEntries(highest(seqsSeenBy(connections[i][0])));
      const client = await connectThroughHaproxy(WATCHES[i], since);
      const snapshot = client.received.find((m) => m.type === 'snapshot') as Extract<(typeof client.received)[number], { type: 'snapshot' }>;
      for (const symbol of WATCHES[i]) assert.equal(snapshot.payload.recovery?.[symbol]?.recovered, true, `client ${i}: ${symbol} recovered from history`);
      connections[i].push(client);
    }
    const survivors = [gateways[0], gateways[2]];
    assert.equal((await Promise.all(survivors.map((g) => metric(g.port, 'gateway_connections')))).reduce((a, b) => a + b), 6, 'all six sockets on the two gateways left');
    for (const [i, c] of connections.entries()) {
      if (!dropped.includes(i)) assert.ok(c[0].received.length > opened[i] && c[0].socket.readyState === c[0].socket.OPEN, `client ${i} on another gateway kept its socket`);
    }
    t.diagnostic(`the stopped gateway's clients reconnected and recovered in ${Date.now() - reconnectedAt} ms`);

    // Every client, over its connections, ends with every seq of its symbols once, in order.
    const generatorExit = await system.apps.generator!.stop('SIGTERM');
    assert.equal(generatorExit.code, 0);
    const kafka = await new TopicReader(KAFKA_BROKERS).read(system.env.KAFKA_TICKS_TOPIC);
    const last = highest(kafka.seqs);
    for (const [i, symbols] of WATCHES.entries()) {
      await waitUntil(`client ${i} to reach the last seq of its symbols`, () => symbols.every((s) => highest(seenOver(connections[i])).get(s) === last.get(s)), {
        timeoutMs: 30_000,
        state: () => ({ expected: last, seen: highest(seenOver(connections[i])) }),
      });
      assertSameSeqs(seenOver(connections[i]), new Map(symbols.map((s) => [s, kafka.seqs.get(s)!])), `client ${i}`);
    }
  });
});
