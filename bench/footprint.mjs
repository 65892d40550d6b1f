// Benchmark 4, footprint: memory per idle connection (connected and subscribed to 10 symbols, no ticks
// flowing), from the RSS before and after the clients connect, for the gateway and, measured the same
// way in the same run, a raw `ws` server (bench/lib/raw-ws-server.mjs) as the baseline. The gateway's
// V8 heap delta is reported too. The RSS of every app under load is in the other benchmarks' results
// (cpu.processes.*.rssMaxMiB); the summary table gathers it. Kernel socket buffers are not in RSS.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { scrape } from './lib/app-metrics.mjs';
import { BenchChild } from './lib/bench-child.mjs';
import { benchEnv, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { rssOf } from './lib/process-sampler.mjs';

const BENCH = 'footprint';
const SYMBOLS_PER_CLIENT = 10;

export async function run(options, report) {
  const o = options.footprint;
  const env = benchEnv();
  const raw = await measure(o, report, 'raw-ws', async () => {
    const child = new BenchChild('raw-ws', path.join(import.meta.dirname, 'lib', 'raw-ws-server.mjs'), [
      JSON.stringify({ redisUrl: REDIS_URL, prefix: env.REDIS_KEY_PREFIX, tuned: false }),
    ]);
    const { port } = await child.next('port');
    return { port, pid: child.pid, heap: async () => Number.NaN, stop: () => child.stop() };
  });
  const gateway = await measure(o, report, 'gateway', async () => {
    const app = await startBenchApp('gateway', env);
    const heap = async () => (await scrape(app.port)).get('nodejs_heap_size_used_bytes') ?? Number.NaN;
    return { port: app.port, pid: app.pid, heap, stop: () => stopBenchApp(app) };
  });
  const ratio = raw.rssKiBPerConnection > 0 ? Math.round((gateway.rssKiBPerConnection / raw.rssKiBPerConnection) * 100) / 100 : null;
  report.emit({
    bench: BENCH,
    scenario: `memory per idle connection (${gateway.clients} clients x ${SYMBOLS_PER_CLIENT} symbols)`,
    clients: gateway.clients,
    rssKiBPerConnection: gateway.rssKiBPerConnection,
    heapUsedKiBPerConnection: gateway.heapUsedKiBPerConnection,
    rssBeforeMiB: gateway.rssBeforeMiB,
    rssAfterMiB: gateway.rssAfterMiB,
    rawWsRssKiBPerConnection: raw.rssKiBPerConnection,
    rawWsRssBeforeMiB: raw.rssBeforeMiB,
    rawWsRssAfterMiB: raw.rssAfterMiB,
    ratioToRawWs: ratio,
    note: 'RSS deltas over the connections, the same way for both servers; the heap is as V8 left it (no forced GC), so RSS includes heap slack',
  });
}

async function measure(o, report, name, start) {
  const server = await start();
  let fleet;
  try {
    await sleep(o.settleSec * 1000);
    const before = { rss: rssOf(server.pid), heap: await server.heap() };
    report.log(`footprint: ${name} idle at ${mib(before.rss)} MiB RSS; connecting ${o.clients} idle clients`);
    fleet = await ClientFleet.open({ port: server.port, count: o.clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
    await sleep(o.settleSec * 1000);
    const after = { rss: rssOf(server.pid), heap: await server.heap() };
    const per = (key) => Math.round(((after[key] - before[key]) / fleet.connected / 1024) * 10) / 10;
    return {
      clients: fleet.connected,
      rssKiBPerConnection: per('rss'),
      heapUsedKiBPerConnection: per('heap'),
      rssBeforeMiB: mib(before.rss),
      rssAfterMiB: mib(after.rss),
    };
  } finally {
    await fleet?.close();
    await server.stop();
  }
}

function mib(bytes) {
  return Math.round((bytes / 1048576) * 10) / 10;
}
