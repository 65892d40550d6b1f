// Benchmark c100k (not in the default set: `npm run bench -- --only=c100k`): many live connections on
// this machine. The gateway runs GATEWAY_WORKERS processes on one port (default: enough for fewer than
// 19,000 clients each, the file limit here being 20,000 per process), the processor and the generator at
// the default rate; light clients (ws-client-worker.mjs, raw RFC 6455) in processes of at most 5,000
// sockets, each process from its own loopback source address (127.0.0.2, 127.0.0.3, ...: one address
// has ~28k ephemeral ports towards one port), each client subscribed to 1-3 symbols with throttleMs 1000.
// It prints: the accept rate all the way up (and its slowest 5 s), RSS per connection over the workers'
// idle footprint, the hold (--c100k-hold, default 300 s): share of clients with a gap > 2 s between two
// updates of a symbol, p50/p99 quote age, missed-pong drops, CPU and RSS of workers and clients; then at
// full count: a new client's time to its snapshot, /health time, 503s past WS_MAX_CONNECTIONS with those
// connected left alone, and a graceful stop (every client's 1001, exit code, time).
//   --c100k-clients=N  (default 100000)  --c100k-workers=N  --c100k-hold=SEC
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { scrape } from './lib/app-metrics.mjs';
import { benchEnv, KAFKA_BROKERS, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { BenchChild } from './lib/bench-child.mjs';
import { LatencyHistogram } from './lib/latency-histogram.mjs';
import { pidListeningOn, ProcessSampler, rssOf } from './lib/process-sampler.mjs';

const BENCH = 'c100k';
/** Sockets per client process: well under the file limit, and several processes so the clients are not one event loop that falls behind. */
const PER_CLIENT_PROCESS = 5_000;
const PER_WORKER = 19_000;
const THROTTLE_MS = 1000;
const GAP_MS = 2000;
const WORKER = path.join(import.meta.dirname, 'lib', 'ws-client-worker.mjs');

export async function run(options, report) {
  const o = options.c100k;
  const clients = o.clients;
  const workers = o.workers ?? Math.ceil(clients / PER_WORKER);
  const perWorker = Math.ceil(clients / workers);
  // Room for the fleet, the new-client probes and the skew of the round-robin (the primary hands a
  // connection to the next worker that is free, so a busy one gets fewer); past it, 503.
  const maxPerWorker = Math.ceil(perWorker * 1.1);
  const env = benchEnv({ WS_MAX_CONNECTIONS: String(maxPerWorker), GATEWAY_WORKERS: String(workers), LOG_LEVEL: 'log' });
  report.log(`c100k: ${clients} clients over ${workers} gateway workers (WS_MAX_CONNECTIONS=${maxPerWorker} each), hold ${o.holdSec} s`);
  const processor = await startBenchApp('processor', { ...env, LOG_LEVEL: 'warn' });
  const gateway = await startBenchApp('gateway', env, { profile: options.profile && workers === 1 && BENCH });
  let fleet = [];
  let generator;
  try {
    await until(() => workers === 1 || gateway.output.includes(`${workers} gateway workers serving`), 60_000, 'every gateway worker listening');
    const workerPids = workers === 1 ? [gateway.pid] : childrenOf(gateway.pid);
    generator = await startBenchApp('generator', { ...env, LOG_LEVEL: 'warn' });
    await sleep(3000);
    const idleRss = workerPids.map(rssOf);
    report.log(`c100k: gateway workers idle at ${mib(sum(idleRss))} MiB RSS in all; connecting`);

    const processes = Math.ceil(clients / PER_CLIENT_PROCESS);
    fleet = Array.from({ length: processes }, (_, w) => new BenchChild(`c100k-clients-${w}`, WORKER));
    await Promise.all(fleet.map((c) => c.next('ready')));
    const counts = fleet.map((_, w) => Math.floor(clients / processes) + (w < clients % processes ? 1 : 0));
    const progress = fleet.map(() => 0);
    const timeline = [];
    const onProgress = (w) => (m) => {
      if (m && typeof m === 'object' && 'progress' in m) progress[w] = m.progress;
    };
    fleet.forEach((c, w) => c.child.on('message', onProgress(w)));
    const ticker = setInterval(() => timeline.push({ at: performance.now(), connected: sum(progress) }), 1000);
    const started = performance.now();
    const answers = await Promise.all(
      fleet.map((c, w) =>
        c.ask(
          {
            cmd: 'connect',
            port: gateway.port,
            path: '/ws',
            localAddress: `127.0.0.${2 + w}`,
            throttleMs: THROTTLE_MS,
            // 400 upgrades in flight over all processes: under the gateway's listen backlog (511).
            concurrency: Math.max(10, Math.floor(400 / processes)),
            progressMs: 1000,
            clients: Array.from({ length: counts[w] }, (_, i) => symbolsOf(w * PER_CLIENT_PROCESS + i)),
          },
          'connected',
          30 * 60_000,
        ),
      ),
    );
    clearInterval(ticker);
    const connectSec = (performance.now() - started) / 1000;
    const connected = answers.reduce((n, a) => n + a.connected.connected, 0);
    const failed = answers.reduce((n, a) => n + a.connected.failed, 0);
    const accept = acceptRates(timeline, started, connected, connectSec);
    report.log(`c100k: ${connected} connected (${failed} failed: ${answers.find((a) => a.connected.firstError)?.connected.firstError ?? '-'}) in ${connectSec.toFixed(1)} s, ${accept.overallPerSec}/s, slowest 5 s ${accept.slowest5sPerSec}/s`);

    await sleep(5000);
    const loadedRss = workerPids.map(rssOf);
    const before = await scrape(gateway.port).catch(() => new Map());
    await Promise.all(fleet.map((c) => c.ask({ cmd: 'reset' }, 'reset')));
    const sampler = new ProcessSampler({
      ...Object.fromEntries(workerPids.map((pid, i) => [`gateway${i}`, pid])),
      ...(workers > 1 ? { gatewayPrimary: gateway.pid } : {}),
      processor: processor.pid,
      generator: generator.pid,
      redis: pidListeningOn(Number(new URL(REDIS_URL).port || 6379)),
      kafka: pidListeningOn(Number(KAFKA_BROKERS.split(',')[0].split(':')[1])),
      ...Object.fromEntries(fleet.map((c, i) => [`clients${i}`, c.pid])),
    }).start();
    report.log(`c100k: holding ${connected} clients for ${o.holdSec} s`);
    await sleep(o.holdSec * 1000);
    const gaps = (await Promise.all(fleet.map((c) => c.ask({ cmd: 'gaps', overMs: GAP_MS }, 'gaps')))).map((a) => a.gaps);
    const received = await fleetReport(fleet);
    const cpu = sampler.stop();
    const after = await scrape(gateway.port).catch(() => new Map());

    const snapshotMs = [];
    for (let i = 0; i < 5; i++) snapshotMs.push(await timeToSnapshot(gateway.port));
    const healthMs = [];
    for (let i = 0; i < 5; i++) healthMs.push(await timed(() => fetch(`http://127.0.0.1:${gateway.port}/health`, { signal: AbortSignal.timeout(10_000) })));
    // Past the limit: enough more clients to fill every worker to its cap (WS_MAX_CONNECTIONS, or its
    // open-files limit less the reserve when lower) and 20 each beyond, from one more client process.
    const capacity = workers * Math.min(maxPerWorker, 20_000 - 256);
    const beyond = new BenchChild('c100k-beyond', WORKER);
    fleet.push(beyond);
    await beyond.next('ready');
    const extraCount = Math.max(0, capacity - connected) + 20 * workers;
    const extra = (
      await beyond.ask(
        { cmd: 'connect', port: gateway.port, path: '/ws', localAddress: `127.0.0.${2 + processes}`, throttleMs: THROTTLE_MS, concurrency: 100, clients: Array.from({ length: extraCount }, (_, i) => symbolsOf(i)) },
        'connected',
        30 * 60_000,
      )
    ).connected;
    const stillOpen = (await fleetReport(fleet.slice(0, processes))).open;

    const stopStarted = performance.now();
    const exit = await gateway.stop('SIGTERM');
    const stopMs = Math.round(performance.now() - stopStarted);
    await sleep(1000);
    const closes = (await fleetReport(fleet.slice(0, processes))).closes;
    const closesBeyond = (await fleetReport([beyond])).closes;
    const gatewayCpu = Object.entries(cpu.processes).filter(([name]) => /^gateway\d/.test(name));
    const clientCpu = Object.entries(cpu.processes).filter(([name]) => name.startsWith('clients'));
    const gatewayCpuPctTotal = sum(gatewayCpu.map(([, p]) => p.cpuPct));
    const clientsCpuPctTotal = sum(clientCpu.map(([, p]) => p.cpuPct));
    const updatesPerSec = received.updates / cpu.seconds;
    report.emit({
      bench: BENCH,
      scenario: `${connected} clients x 1-3 symbols, throttleMs ${THROTTLE_MS}, ${workers} gateway worker(s), ${o.holdSec} s hold`,
      clients: connected,
      failedToConnect: failed,
      workers,
      clientProcesses: processes,
      accept,
      rssIdleMiB: mib(sum(idleRss)),
      rssLoadedMiB: mib(sum(loadedRss)),
      rssKiBPerConnection: Math.round(((sum(loadedRss) - sum(idleRss)) / connected / 1024) * 10) / 10,
      rssPerWorkerMiB: loadedRss.map(mib),
      hold: {
        seconds: cpu.seconds,
        clientsWithGapOver2s: sum(gaps.map((g) => g.over)),
        shareWithGapOver2s: Math.round((sum(gaps.map((g) => g.over)) / connected) * 10_000) / 10_000,
        longestGapMs: Math.max(...gaps.map((g) => g.longestMs)),
        quoteAgeMs: received.latency,
        updatesPerSec: Math.round(updatesPerSec),
        missedPongDrops: (after.get('gateway_heartbeat_timeouts_total') ?? NaN) - (before.get('gateway_heartbeat_timeouts_total') ?? NaN),
        slowClientsClosed: (after.get('gateway_slow_clients_closed_total') ?? NaN) - (before.get('gateway_slow_clients_closed_total') ?? NaN),
        closesDuringHold: received.closes,
        openAtEnd: received.open,
      },
      gatewayCpuPct: Object.fromEntries(gatewayCpu.map(([n, p]) => [n, p.cpuPct])),
      gatewayCpuPctTotal,
      clientsCpuPctTotal,
      // CPU per delivered update on each side: what decides how many clients two cores carry.
      gatewayCpuUsPerUpdate: perUpdateUs(gatewayCpuPctTotal, updatesPerSec),
      clientsCpuUsPerUpdate: perUpdateUs(clientsCpuPctTotal, updatesPerSec),
      clientsRssMiBTotal: Math.round(sum(clientCpu.map(([, p]) => p.rssMaxMiB))),
      machine: { busyPct: cpu.machineBusyPct, othersCpuPct: cpu.othersCpuPct, cores: cpu.cores },
      newClientSnapshotMs: summary(snapshotMs),
      healthMs: summary(healthMs),
      pastTheLimit: { tried: extraCount, connected: extra.connected, refused: extra.failures, fleetLeftOpen: stillOpen === connected },
      gracefulStop: { exitCode: exit.code, signal: exit.signal, ms: stopMs, closes, all1001: (closes['1001'] ?? 0) === connected, closesBeyond },
      cpu,
    });
  } finally {
    await gateway.stop('SIGKILL').catch(() => undefined);
    await Promise.all(fleet.map((c) => c.stop({ cmd: 'close' })));
    await stopBenchApp(generator);
    await stopBenchApp(processor);
  }
}

/** Client i's symbols: 1, 2 or 3 consecutive symbols of the universe. */
function symbolsOf(i) {
  return Array.from({ length: 1 + (i % 3) }, (_, k) => UNIVERSE[(i + k * 7) % UNIVERSE.length]);
}

/** Connections per second over the whole climb and over its slowest 5 s window (the last partial window left out). */
function acceptRates(timeline, started, connected, seconds) {
  let slowest = Infinity;
  for (let i = 5; i < timeline.length; i++) {
    const rate = (timeline[i].connected - timeline[i - 5].connected) / ((timeline[i].at - timeline[i - 5].at) / 1000);
    if (timeline[i].connected < connected) slowest = Math.min(slowest, rate);
  }
  const perTenSec = [];
  for (let i = 10; i < timeline.length; i += 10) perTenSec.push(Math.round((timeline[i].connected - timeline[i - 10].connected) / 10));
  return {
    overallPerSec: Math.round(connected / seconds),
    slowest5sPerSec: slowest === Infinity ? null : Math.round(slowest),
    perTenSec,
    seconds: Math.round(seconds * 10) / 10,
  };
}

async function fleetReport(fleet) {
  const reports = (await Promise.all(fleet.map((w) => w.ask({ cmd: 'report' }, 'report', 120_000)))).map((a) => a.report);
  const histogram = new LatencyHistogram();
  const closes = {};
  let updates = 0;
  let open = 0;
  for (const r of reports) {
    histogram.add(r.histogram);
    updates += r.updates;
    open += r.open;
    for (const [code, n] of Object.entries(r.closes)) closes[code] = (closes[code] ?? 0) + n;
  }
  return { updates, open, closes, latency: histogram.summary() };
}

/** A new client's time from the upgrade request to its snapshot. */
function timeToSnapshot(port) {
  const started = performance.now();
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const done = (value) => {
      ws.terminate();
      resolve(value);
    };
    ws.once('open', () => ws.send(JSON.stringify({ action: 'subscribe', payload: { symbols: [UNIVERSE[0]], throttleMs: THROTTLE_MS } })));
    ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"snapshot"')) done(Math.round(performance.now() - started));
    });
    ws.once('unexpected-response', (_req, res) => done(`HTTP ${res.statusCode}`));
    ws.once('error', () => done(null));
    setTimeout(() => done(null), 30_000).unref();
  });
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return Math.round(performance.now() - started);
}

function childrenOf(pid) {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`c100k: not ${what} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const summary = (values) => ({ max: values.some((v) => typeof v !== 'number') ? values : Math.max(...values), samples: values });

/** Microseconds of CPU per update from a CPU share (% of one core) and updates per second. */
function perUpdateUs(cpuPct, updatesPerSec) {
  return updatesPerSec > 0 ? Math.round((cpuPct / 100 / updatesPerSec) * 1e7) / 10 : NaN;
}
