// Benchmark 5, scale-out: the same backlog drained by one processor and by two in one group, and the same
// fan-out through one gateway and through two behind HAProxy, each pair in the same run, as ratios. The
// processors also run once on a Redis Cluster. Each scenario records what docs/scaling.md's capacity
// model needs: ticks/s per processor core, Redis commands and script calls per tick, updates/s per
// gateway core. On a two-core machine a second processor or gateway shares the same cores: the ratios
// show what running two costs, not a speed-up.
//
// Processors: a backlog of ticks is produced into a fresh 6-partition topic with no consumer, then the
// processors are started; once every one holds partitions, the rate their group commits (commits follow
// the Redis write) is measured for measureSec, with their CPU and Redis's command counts (INFO
// commandstats of a private Redis or Redis Cluster, reset first, so other users of the shared Redis do
// not count).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { benchEnv, KAFKA_BROKERS, rateSettings, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { boundHint } from './lib/bench-report.mjs';
import { ClientFleet } from './lib/client-fleet.mjs';
import { ConsumerLag } from './lib/consumer-lag.mjs';
import { pidListeningOn, ProcessSampler } from './lib/process-sampler.mjs';
import { QuotePublisher } from './lib/quote-publisher.mjs';
import { onTeardown } from './lib/teardown.mjs';
import { rampServer } from './fan-out.mjs';

const BENCH = 'scale-out';
const ROOT = pathToFileURL(process.env.BENCH_ROOT ?? path.resolve(import.meta.dirname, '..')).href;
const SCRIPTS = new URL('../scripts/', import.meta.url).href;
const { reservePorts } = await import(`${ROOT}/dist/test/support/local-infra.js`);
const { TopicReader } = await import(`${ROOT}/dist/test/support/topic-reader.js`);
/** Commands that are not the pipeline's (the benchmark's own INFO, the clients' cluster chatter). */
const NOT_PIPELINE = new Set(['info', 'config', 'ping', 'cluster', 'client', 'command', 'hello', 'select', 'readonly', 'script']);

export async function run(options, report) {
  const o = options.scaleout;
  const infra = await import(`${SCRIPTS}infra.mjs`);
  infra.setQuiet(true);

  const redisPort = await reservePorts(1, 'BENCH_REDIS_PORT');
  const { redisLayout } = await import(`${SCRIPTS}infra/redis.mjs`);
  const redis = await infra.startRedis({ redisPort });
  onTeardown(async () => {
    await infra.stopRedis({ redisPort });
    rmSync(redisLayout({ redisPort }).dir, { recursive: true, force: true });
  });
  const single = { env: { REDIS_URL: redis.url }, nodes: [redisPort], label: 'single Redis' };
  try {
    const one = await drain({ processors: 1, redis: single, o, report });
    report.emit(one);
    const two = await drain({ processors: 2, redis: single, o, report });
    two.ratioToOneProcessor = round3(two.ticksPerSec / one.ticksPerSec);
    report.emit(two);
    report.emit(await gatewayInput({ redisUrl: redis.url, redisPort, o, report }));
  } finally {
    await infra.stopRedis({ redisPort });
    rmSync(redisLayout({ redisPort }).dir, { recursive: true, force: true });
  }

  const clusterPort = await reservePorts(12, 'BENCH_REDIS_CLUSTER_PORT');
  const cluster = await infra.startRedisCluster({ redisClusterPort: clusterPort });
  onTeardown(() => infra.stopRedisCluster({ redisClusterPort: clusterPort }));
  try {
    const masters = infra.clusterNodes(clusterPort).filter((n) => n.role === 'master').map((n) => n.port);
    const onCluster = await drain({ processors: 1, redis: { env: { REDIS_CLUSTER_NODES: cluster.nodes }, nodes: masters, label: 'Redis Cluster, 3 masters' }, o, report });
    report.emit(onCluster);
  } finally {
    await infra.stopRedisCluster({ redisClusterPort: clusterPort });
  }

  const oneGateway = await rampServer({ server: 'gateway', clients: o.clients, o: o.fanout, options, report });
  report.emit({ ...oneGateway, bench: BENCH, scenario: `fan-out, one gateway, ${o.clients} clients` });
  const behindHaproxy = await rampServer({ server: 'haproxy', clients: o.clients, o: o.fanout, options, report, start: twoGatewaysBehindHaproxy });
  behindHaproxy.ratioToOneGateway = round3(behindHaproxy.peakUpdatesPerSec / oneGateway.peakUpdatesPerSec);
  report.emit({ ...behindHaproxy, bench: BENCH, scenario: `fan-out, two gateways behind HAProxy, ${o.clients} clients` });
}

/** Produces a backlog, then measures `processors` processors draining it. */
async function drain({ processors, redis, o, report }) {
  const env = benchEnv({ ...redis.env, LOG_LEVEL: 'error' });
  report.log(`scale-out: ${processors} processor(s) on ${redis.label}, backlog of ${o.backlog} ticks`);
  const lag = await new ConsumerLag(env.KAFKA_TICKS_TOPIC, env.KAFKA_GROUP_ID).connect();
  const apps = [];
  const nodes = redis.nodes.map((port) => new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 }));
  try {
    const generator = await startBenchApp('generator', { ...env, ...rateSettings(o.fillRate) });
    while ((await lag.produced().catch(() => 0)) < o.backlog) await sleep(250);
    await stopBenchApp(generator);
    // Started together, so the first does not drain much of the backlog alone while the other boots.
    apps.push(...(await Promise.all(Array.from({ length: processors }, () => startBenchApp('processor', env)))));
    const topics = new TopicReader(KAFKA_BROKERS);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const members = await topics.groupMembers(env.KAFKA_GROUP_ID, env.KAFKA_TICKS_TOPIC).catch(() => []);
      if (members.length === processors && members.every((m) => m.partitions.length > 0)) break;
      await sleep(250);
    }
    await Promise.all(nodes.map((n) => n.config('RESETSTAT')));
    const sampler = new ProcessSampler({
      ...Object.fromEntries(apps.map((a, i) => [`processor${i + 1}`, a.pid])),
      ...Object.fromEntries(redis.nodes.map((port, i) => [`redis${redis.nodes.length > 1 ? i + 1 : ''}`, pidListeningOn(port)])),
      kafka: pidListeningOn(Number(KAFKA_BROKERS.split(',')[0].split(':')[1])),
    }).start();
    const first = await lag.read();
    let last = first;
    for (let s = 0; s < o.measureSec * 2 && last.lag > 0; s++) {
      await sleep(500);
      last = await lag.read();
    }
    const cpu = sampler.stop();
    const calls = await commandCalls(nodes);
    const seconds = (last.at - first.at) / 1000;
    const ticks = last.committed - first.committed;
    if (ticks === 0 || first.lag === 0) throw new Error(`the backlog was drained before all ${processors} processors held partitions; raise scaleout.backlog`);
    const processorCpu = apps.reduce((sum, _, i) => sum + cpu.processes[`processor${i + 1}`].cpuPct, 0) / 100;
    const redisCpu = redis.nodes.reduce((sum, _, i) => sum + (cpu.processes[`redis${redis.nodes.length > 1 ? i + 1 : ''}`]?.cpuPct ?? 0), 0) / 100;
    const pipelineCalls = [...calls].filter(([name]) => !NOT_PIPELINE.has(name));
    const perTick = (n) => round3(n / ticks);
    return {
      bench: BENCH,
      scenario: `processors: ${processors} draining a backlog, ${redis.label}`,
      processors,
      redis: redis.label,
      ticksPerSec: Math.round(ticks / seconds),
      ticksPerProcessorCore: Math.round(ticks / seconds / processorCpu),
      redisCommandsPerTick: perTick(pipelineCalls.reduce((sum, [, n]) => sum + n, 0)),
      scriptCallsPerTick: perTick((calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0)),
      commandsPerTick: Object.fromEntries(pipelineCalls.sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name, n]) => [name, perTick(n)])),
      redisCpuUsPerTick: Math.round((redisCpu * seconds * 1e6) / ticks * 10) / 10,
      ticks,
      seconds: Math.round(seconds * 10) / 10,
      lagAtEnd: last.lag,
      cpu,
      bound: boundHint(cpu),
    };
  } finally {
    for (const n of nodes) n.disconnect();
    for (const app of apps) await stopBenchApp(app);
    await lag.disconnect();
  }
}

/**
 * What a gateway and Redis spend per pub/sub message, whatever the number of clients: one client on
 * every symbol, quotes published at a fixed rate, the gateway's and Redis's CPU per message.
 */
async function gatewayInput({ redisUrl, redisPort, o, report }) {
  const env = benchEnv({ REDIS_URL: redisUrl });
  report.log(`scale-out: gateway input, ${o.inputRate} quotes/s to one client on all ${UNIVERSE.length} symbols`);
  const gateway = await startBenchApp('gateway', env);
  const publisher = new QuotePublisher(redisUrl, env.REDIS_KEY_PREFIX, UNIVERSE);
  let fleet;
  try {
    fleet = await ClientFleet.open({ port: gateway.port, count: 1, symbolsFor: () => UNIVERSE, workers: 1 });
    publisher.setRate(o.inputRate);
    await sleep(1000);
    await fleet.reset();
    const published0 = publisher.published;
    const sampler = new ProcessSampler({ gateway: gateway.pid, redis: pidListeningOn(redisPort), clients: fleet.pids[0] }).start();
    await sleep(o.measureSec * 1000);
    const received = await fleet.report();
    const cpu = sampler.stop();
    const published = publisher.published - published0;
    const usPer = (name) => Math.round(((cpu.processes[name].cpuPct / 100) * cpu.seconds * 1e6) / published * 10) / 10;
    return {
      bench: BENCH,
      scenario: `gateway input: ${o.inputRate} quotes/s, one client on every symbol`,
      publishedPerSec: Math.round(published / cpu.seconds),
      deliveredShare: round3(received.updates / published),
      gatewayCpuUsPerMessage: usPer('gateway'),
      redisCpuUsPerMessage: usPer('redis'),
      cpu,
      bound: boundHint(cpu),
    };
  } finally {
    publisher.stop();
    await fleet?.close();
    await stopBenchApp(gateway);
  }
}

/** INFO commandstats summed over the nodes: calls per command (scripts' inner commands included). */
async function commandCalls(nodes) {
  const calls = new Map();
  for (const node of nodes) {
    for (const match of (await node.info('commandstats')).matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
      const name = match[1].split('|')[0];
      calls.set(name, (calls.get(name) ?? 0) + Number(match[2]));
    }
  }
  return calls;
}

/**
 * Two gateways behind HAProxy (deploy/haproxy/haproxy.cfg, which has three slots: the third points at a
 * port nothing listens on, so HAProxy's health check keeps it out of the rotation).
 */
async function twoGatewaysBehindHaproxy(_server, env) {
  const { startHaproxy, gatewayStates } = await import(`${SCRIPTS}cluster/haproxy.mjs`);
  const gateways = [await startBenchApp('gateway', env), await startBenchApp('gateway', env)];
  const base = await reservePorts(3, 'BENCH_HAPROXY_PORT');
  const haproxy = await startHaproxy({ port: base, statsPort: base + 1, gateways: [...gateways.map((g) => `127.0.0.1:${g.port}`), `127.0.0.1:${base + 2}`] });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const states = await gatewayStates(haproxy.statsUrl);
    if (states['gateway-1'] === 'UP' && states['gateway-2'] === 'UP') break;
    await sleep(200);
  }
  return {
    port: base,
    metricsPort: gateways[0].port,
    pids: { haproxy: haproxy.pid, gateway1: gateways[0].pid, gateway2: gateways[1].pid },
    async stop() {
      await haproxy.stop();
      for (const g of gateways) await stopBenchApp(g);
    },
  };
}

function round3(n) {
  return Math.round(n * 1000) / 1000;
}
