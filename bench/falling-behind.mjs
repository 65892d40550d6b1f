// Benchmark `behind`, falling behind: a gateway that cannot keep up degrades, it never
// drops silently. 1,000 clients x 10 of the 24 symbols behind the whole pipeline at 100x the default
// rate, more updates than the gateway can write, for `runSec`; then the generator stops and, 1 s after
// the last quote was published (the processor may still be draining Kafka when the generator stops),
// every client's last seq of each of its symbols is compared with the seq stored in Redis, and again
// at 2 s and 5 s (what a client had read by that moment; see ClientFleet.state).
//
// Alongside: whether Redis cut the server's pub/sub connection (its CLIENT id gone; the peak output
// buffer Redis held for it, against `client-output-buffer-limit pubsub 32mb 8mb 60`), the gateway's
// own conflation (gateway_feed_conflated_total, peak gateway_feed_backlog and gateway_clients_behind, per-client conflation and 1013 closes), its peak RSS, and the updates the clients received against those published in the
// window. The raw ws server (no conflation at all) is the baseline where the profile asks for it.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startServer } from './fan-out.mjs';
import { scrape } from './lib/app-metrics.mjs';
import { benchEnv, KAFKA_BROKERS, nominalRate, quoteKey, rateSettings, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { boundHint } from './lib/bench-report.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { ConsumerLag } from './lib/consumer-lag.mjs';
import { MetricPeaks } from './lib/metric-peaks.mjs';
import { pidListeningOn, ProcessSampler } from './lib/process-sampler.mjs';
import { pubSubConnectionsOf, PubSubWatch } from './lib/pubsub-watch.mjs';

const BENCH = 'behind';
const DEFAULT_RATE = 240; // 24 symbols every 100 ms
const SYMBOLS_PER_CLIENT = 10;
/** Seconds after the last publish at which the clients' last seqs are checked. */
const CHECKS_SEC = [1, 2, 5];
const SEQ_POLL_MS = 20;
const LAG_POLL_MS = 200;
const DRAIN_LIMIT_MS = 60_000;
const REDIS_PORT = Number(new URL(REDIS_URL).port || 6379);

export async function run(options, report) {
  for (const server of options.behind.servers) report.emit(await scenario({ server, o: options.behind, options, report }));
}

async function scenario({ server, o, options, report }) {
  const env = benchEnv();
  const settings = rateSettings(DEFAULT_RATE * o.multiplier);
  const rate = nominalRate({ ...env, ...settings });
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  const processor = await startBenchApp('processor', env);
  const lag = await new ConsumerLag(env.KAFKA_TICKS_TOPIC, env.KAFKA_GROUP_ID).connect();
  const target = await startServer(server, env, { profile: options.profile && 'behind' });
  let fleet;
  let generator;
  try {
    report.log(`behind: ${server}, ${o.clients} clients x ${SYMBOLS_PER_CLIENT} symbols`);
    fleet = await ClientFleet.open({ port: target.port, count: o.clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
    const serverPid = target.pids[server];
    const feeds = await pubSubConnectionsOf(redis, serverPid, REDIS_PORT);
    if (feeds.length === 0) throw new Error(`no pub/sub connection of the ${server} (pid ${serverPid}) in CLIENT LIST`);
    const watch = new PubSubWatch(redis, feeds.map((c) => c.id)).start();
    const peaks = target.metricsPort ? new MetricPeaks(target.metricsPort, ['gateway_feed_backlog', 'gateway_clients_behind']).start() : null;

    report.log(`behind: ${o.multiplier}x, ${rate} ticks/s (TICK_INTERVAL_MS=${settings.TICK_INTERVAL_MS}, TICK_BURST=${settings.TICK_BURST}) for ${o.runSec} s`);
    generator = await startBenchApp('generator', { ...env, ...settings });
    await sleep(o.warmSec * 1000);
    const sampler = new ProcessSampler({
      generator: generator.pid,
      processor: processor.pid,
      [server]: serverPid,
      kafka: pidListeningOn(Number(KAFKA_BROKERS.split(',')[0].split(':')[1])),
      redis: pidListeningOn(REDIS_PORT),
      ...Object.fromEntries(fleet.pids.map((pid, i) => [`clients${i}`, pid])),
    });
    const from = await storedSeqs(redis, env.REDIS_KEY_PREFIX);
    await fleet.reset({ from });
    const windowStart = performance.now();
    sampler.start();
    await sleep(o.runSec * 1000);
    await stopBenchApp(generator);
    generator = null;
    const stoppedAt = performance.now();
    const end = await lastPublish(redis, env.REDIS_KEY_PREFIX, lag);
    report.log(`behind: generator stopped; last publish seen ${Math.round(end.at - stoppedAt)} ms later${end.drained ? '' : ' (Kafka NOT drained)'}`);

    // Asked at once, each answered at its moment by every worker (see ClientFleet.state).
    const lastPublishAt = performance.timeOrigin + end.at;
    const checks = await Promise.all(CHECKS_SEC.map(async (sec) => ({ afterSec: sec, ...(await fleet.state(end.latest, lastPublishAt + sec * 1000)) })));
    for (const c of checks) report.log(`behind: +${c.afterSec} s: ${c.atLatest} of ${c.pairs} (client, symbol) pairs at the latest seq (up to ${c.maxSeqsBehind} seqs behind), ${c.open} clients open`);
    const cpu = sampler.stop();
    const received = await fleet.report();
    const pubsub = await watch.stop();
    const backlog = peaks ? await peaks.stop() : null;
    const after = await pubSubConnectionsOf(redis, serverPid, REDIS_PORT).catch(() => []);
    const counters = target.metricsPort ? await scrape(target.metricsPort).catch(() => new Map()) : new Map();
    const first = checks[0];
    const published = Object.keys(end.latest).reduce((n, s) => n + (end.latest[s] - (from[s] ?? end.latest[s])), 0);
    return {
      bench: BENCH,
      scenario: `${server}, ${o.clients} clients x ${SYMBOLS_PER_CLIENT} symbols, ${o.multiplier}x rate`,
      server,
      clients: o.clients,
      multiplier: o.multiplier,
      ratePerSec: rate,
      runSec: o.runSec,
      publishedQuotes: published,
      publishedPerSec: Math.round(published / ((end.at - windowStart) / 1000)),
      drainMs: Math.round(end.at - stoppedAt),
      drained: end.drained,
      pairs: first.pairs,
      atLatest1s: first.atLatest,
      atLatest: Object.fromEntries(checks.map((c) => [`${c.afterSec}s`, c.atLatest])),
      allAtLatestAfterSec: checks.find((c) => c.atLatest === c.pairs)?.afterSec ?? null,
      latencyMs: received.latency,
      checks,
      pubsubConnections: pubsub.connections,
      pubsubDisconnects: pubsub.lost,
      pubsubLostAtMs: pubsub.lostAtMs,
      pubsubReconnected: after.filter((c) => !feeds.some((f) => f.id === c.id)).length,
      peakOutputBufferMiB: pubsub.peakOutputMiB,
      feedReceived: counters.get('gateway_quotes_received_total'),
      feedStaleDropped: counters.get('gateway_feed_stale_dropped_total'),
      feedConflated: counters.get('gateway_feed_conflated_total'),
      feedBacklogPeak: backlog?.gateway_feed_backlog,
      clientsBehindPeak: backlog?.gateway_clients_behind,
      metricsScrapesFailed: backlog?.failedScrapes,
      updatesConflated: counters.get('gateway_updates_conflated_total'),
      slowClientsClosed: counters.get('gateway_slow_clients_closed_total'),
      heartbeatTimeouts: counters.get('gateway_heartbeat_timeouts_total'),
      received: first.received,
      expected: first.expected,
      deliveredShare: first.expected > 0 ? Math.round((first.received / first.expected) * 1000) / 1000 : null,
      deliveredShareMinClient: first.shareMin === null ? null : Math.round(first.shareMin * 1000) / 1000,
      seqWentBackwards: first.backwards,
      clientsOpen: first.open,
      peakRssMiB: cpu.processes[server]?.rssMaxMiB,
      cpu,
      bound: boundHint(cpu),
    };
  } finally {
    await stopBenchApp(generator);
    await fleet?.close();
    await target.stop();
    await stopBenchApp(processor);
    await lag.disconnect();
    redis.disconnect();
  }
}

/** The stored seq of every symbol of the universe ({symbol: seq}), one pipelined round trip. */
async function storedSeqs(redis, prefix) {
  const replies = await redis.pipeline(UNIVERSE.map((s) => ['hget', quoteKey(prefix, s), 'seq'])).exec();
  const seqs = {};
  UNIVERSE.forEach((symbol, i) => {
    const seq = replies[i][1];
    if (seq !== null && seq !== undefined) seqs[symbol] = Number(seq);
  });
  return seqs;
}

/**
 * Once the generator has stopped: waits until the processor has committed every tick (consumer lag 0;
 * it commits only what is stored and published) and returns the final seqs and when they were last
 * seen to change, within SEQ_POLL_MS of the last PUBLISH.
 */
async function lastPublish(redis, prefix, lag) {
  const started = performance.now();
  let latest = await storedSeqs(redis, prefix);
  let at = performance.now();
  let lagReadAt = 0;
  let drained = false;
  while (!drained && performance.now() - started < DRAIN_LIMIT_MS) {
    await sleep(SEQ_POLL_MS);
    if (performance.now() - lagReadAt >= LAG_POLL_MS) {
      lagReadAt = performance.now();
      drained = (await lag.read().catch(() => ({ lag: -1 }))).lag === 0;
    }
    const now = await storedSeqs(redis, prefix);
    if (UNIVERSE.some((s) => now[s] !== latest[s])) {
      latest = now;
      at = performance.now();
    }
  }
  return { latest, at, drained };
}
