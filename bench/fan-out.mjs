// Benchmark 3, fan-out: updates per second a server delivers to 1,000 and 5,000 clients (each on 10
// of the 24 symbols, in separate client processes), the gateway against a raw `ws` server
// broadcasting the same frames from the same Redis channels, in the same run.
//
// Both are fed by one publisher on Redis at rising rates (each step x`growth`); a step counts the
// updates the clients received. A server keeps up while it delivers >= 97 % of what was published
// times the subscribers; the peak is the most it delivered in any step. The ratio compares peaks.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchChild } from './lib/bench-child.mjs';
import { scrape } from './lib/app-metrics.mjs';
import { benchEnv, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { boundHint } from './lib/bench-report.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { pidListeningOn, ProcessSampler } from './lib/process-sampler.mjs';
import { QuotePublisher } from './lib/quote-publisher.mjs';

const BENCH = 'fan-out';
const SYMBOLS_PER_CLIENT = 10;
const START_DELIVERIES_PER_SEC = 40_000;
const KEPT_UP = 0.97;

export async function run(options, report) {
  const o = options.fanout;
  for (const clients of o.clients) {
    const peaks = {};
    for (const server of o.servers) {
      const result = await rampServer({ server, clients, o, options, report });
      peaks[server] = result.peakUpdatesPerSec;
      if (server !== 'gateway' && peaks.gateway) result.gatewayRatio = Math.round((peaks.gateway / result.peakUpdatesPerSec) * 1000) / 1000;
      report.emit(result);
    }
  }
}

/**
 * Starts the server (`start`: this benchmark's three by default; bench/scale-out.mjs passes gateways
 * behind HAProxy), connects the clients, steps the publish rate up until the server falls behind.
 */
export async function rampServer({ server, clients, o, options, report, start = startServer }) {
  const env = benchEnv();
  report.log(`fan-out: ${server}, ${clients} clients x ${SYMBOLS_PER_CLIENT} symbols`);
  const target = await start(server, env, options);
  const publisher = new QuotePublisher(REDIS_URL, env.REDIS_KEY_PREFIX, UNIVERSE);
  let fleet;
  try {
    fleet = await ClientFleet.open({ port: target.port, count: clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
    const subscribersPerQuote = (clients * SYMBOLS_PER_CLIENT) / UNIVERSE.length;
    let publishRate = START_DELIVERIES_PER_SEC / subscribersPerQuote;
    const steps = [];
    for (let k = 0; k < o.maxSteps; k++) {
      publisher.setRate(publishRate);
      await sleep(500);
      const sampler = new ProcessSampler({
        ...target.pids,
        redis: pidListeningOn(Number(new URL(REDIS_URL).port || 6379)),
        ...Object.fromEntries(fleet.pids.map((pid, i) => [`clients${i}`, pid])),
      });
      await fleet.reset();
      const published0 = publisher.published;
      sampler.start();
      await sleep(o.stepSec * 1000);
      const received = await fleet.report();
      const cpu = sampler.stop();
      const expected = (publisher.published - published0) * subscribersPerQuote;
      const step = {
        offeredPerSec: Math.round(expected / cpu.seconds),
        updatesPerSec: Math.round(received.updates / cpu.seconds),
        deliveredShare: Math.round((received.updates / expected) * 1000) / 1000,
        latencyMs: received.latency,
        clientsOpen: received.open,
        cpu,
      };
      steps.push(step);
      report.log(`fan-out: ${server} offered ${step.offeredPerSec}/s, delivered ${step.updatesPerSec}/s (p99 ${received.latency.p99} ms)`);
      if (step.deliveredShare < 0.9 || received.latency.p99 > 2000 || received.open < clients) break;
      publishRate *= o.growth;
    }
    publisher.setRate(0);
    const peak = steps.reduce((a, b) => (b.updatesPerSec > a.updatesPerSec ? b : a));
    const keptUp = steps.filter((s) => s.deliveredShare >= KEPT_UP).at(-1);
    const counters = target.metricsPort ? await scrape(target.metricsPort).catch(() => new Map()) : new Map();
    return {
      bench: BENCH,
      scenario: `${server}, ${clients} clients x ${SYMBOLS_PER_CLIENT} symbols`,
      server,
      clients,
      peakUpdatesPerSec: peak.updatesPerSec,
      keptUpToPerSec: keptUp?.updatesPerSec ?? 0,
      peakLatencyMs: peak.latencyMs,
      conflated: counters.get('gateway_updates_conflated_total'),
      slowClientsClosed: counters.get('gateway_slow_clients_closed_total'),
      steps: steps.map(({ cpu, ...rest }) => ({ ...rest, bound: boundHint(cpu), serverCpuPct: cpu.processes[server]?.cpuPct })),
      serverCpuPctAtPeak: Object.fromEntries(Object.keys(target.pids).map((name) => [name, peak.cpu.processes[name]?.cpuPct])),
      cpu: peak.cpu,
      bound: boundHint(peak.cpu),
    };
  } finally {
    publisher.stop();
    await fleet?.close();
    await target.stop();
  }
}

/** The gateway, or a raw ws baseline server (bench/lib/raw-ws-server.mjs) on the same Redis channels. */
export async function startServer(server, env, options) {
  if (server === 'gateway') {
    const app = await startBenchApp('gateway', env, { profile: options.profile && 'fanout' });
    return { port: app.port, metricsPort: app.port, pids: { [server]: app.pid }, stop: () => stopBenchApp(app) };
  }
  const child = new BenchChild(server, path.join(import.meta.dirname, 'lib', 'raw-ws-server.mjs'), [
    JSON.stringify({ redisUrl: REDIS_URL, prefix: env.REDIS_KEY_PREFIX, tuned: server === 'raw-ws-tuned' }),
  ]);
  const { port } = await child.next('port');
  return { port, pids: { [server]: child.pid }, stop: () => child.stop() };
}
