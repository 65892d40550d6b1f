// Benchmark 4, footprint: the gateway's memory per idle connection (connected and subscribed to 10
// symbols, no ticks flowing), from its RSS and V8 heap before and after the clients connect. The RSS
// of every app under load is in the other benchmarks' results (cpu.processes.*.rssMaxMiB); the
// summary table gathers it. Kernel socket buffers are not in RSS and not counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { scrape } from './lib/app-metrics.mjs';
import { benchEnv, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { rssOf } from './lib/process-sampler.mjs';

const BENCH = 'footprint';
const SYMBOLS_PER_CLIENT = 10;

export async function run(options, report) {
  const o = options.footprint;
  const env = benchEnv();
  const gateway = await startBenchApp('gateway', env);
  let fleet;
  try {
    await sleep(o.settleSec * 1000);
    const before = await memory(gateway);
    report.log(`footprint: gateway idle at ${mib(before.rss)} MiB RSS; connecting ${o.clients} idle clients`);
    fleet = await ClientFleet.open({ port: gateway.port, count: o.clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
    await sleep(o.settleSec * 1000);
    const after = await memory(gateway);
    const perConnection = (key) => Math.round(((after[key] - before[key]) / fleet.connected / 1024) * 10) / 10;
    report.emit({
      bench: BENCH,
      scenario: `gateway memory per idle connection (${fleet.connected} clients x ${SYMBOLS_PER_CLIENT} symbols)`,
      clients: fleet.connected,
      rssKiBPerConnection: perConnection('rss'),
      heapUsedKiBPerConnection: perConnection('heapUsed'),
      externalKiBPerConnection: perConnection('external'),
      rssBeforeMiB: mib(before.rss),
      rssAfterMiB: mib(after.rss),
      heapUsedBeforeMiB: mib(before.heapUsed),
      heapUsedAfterMiB: mib(after.heapUsed),
      note: 'RSS and heap deltas over the connections; the heap is as V8 left it (no forced GC), so RSS includes heap slack',
    });
  } finally {
    await fleet?.close();
    await stopBenchApp(gateway);
  }
}

async function memory(app) {
  const metrics = await scrape(app.port);
  return {
    rss: rssOf(app.pid),
    heapUsed: metrics.get('nodejs_heap_size_used_bytes') ?? Number.NaN,
    external: metrics.get('nodejs_external_memory_bytes') ?? Number.NaN,
  };
}

function mib(bytes) {
  return Math.round((bytes / 1048576) * 10) / 10;
}
