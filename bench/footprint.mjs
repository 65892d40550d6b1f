// Benchmark 4, footprint: memory per idle connection (connected and subscribed to 10 symbols, no ticks
// flowing), from the RSS before and after the clients connect, for the gateway and, measured the same
// way in the same run, a raw `ws` server (bench/lib/raw-ws-server.mjs) as the baseline. The RSS of
// every app under load is in the other benchmarks' results (cpu.processes.*.rssMaxMiB); the summary
// table gathers it. Kernel socket buffers are not in RSS.
//
// Each server is read right after a last-resort full GC (bench/lib/full-gc.preload.mjs, loaded into
// both), so the delta is what the connections keep, not heap slack: read a few seconds after start-up
// and after connecting, without a GC, the gateway's figure was mostly V8's young generation, grown once
// to its maximum (~64 MiB) by the connection storm whatever the number of clients, and its start-up
// garbage; and it swung by 2x between runs. Those unforced readings are still reported, as `...NoGc`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchChild } from './lib/bench-child.mjs';
import { benchEnv, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { rssOf } from './lib/process-sampler.mjs';

const BENCH = 'footprint';
const SYMBOLS_PER_CLIENT = 10;
const PRELOAD = `--import=${path.join(import.meta.dirname, 'lib', 'full-gc.preload.mjs')}`;

export async function run(options, report) {
  const o = options.footprint;
  const env = benchEnv();
  const gcDir = mkdtempSync(path.join(tmpdir(), 'bench-footprint-'));
  try {
    const raw = await measure(o, report, 'raw-ws', gcDir, async () => {
      const args = [JSON.stringify({ redisUrl: REDIS_URL, prefix: env.REDIS_KEY_PREFIX, tuned: false })];
      const child = new BenchChild('raw-ws', path.join(import.meta.dirname, 'lib', 'raw-ws-server.mjs'), args, {
        execArgv: [PRELOAD],
        env: { ...process.env, BENCH_GC_DIR: gcDir },
      });
      const { port } = await child.next('port');
      return { port, pid: child.pid, stop: () => child.stop() };
    });
    const gateway = await measure(o, report, 'gateway', gcDir, async () => {
      const app = await startBenchApp('gateway', { ...env, NODE_OPTIONS: PRELOAD, BENCH_GC_DIR: gcDir });
      return { port: app.port, pid: app.pid, stop: () => stopBenchApp(app) };
    });
    const ratioOf = (a, b) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
    report.emit({
      bench: BENCH,
      scenario: `memory per idle connection (${gateway.clients} clients x ${SYMBOLS_PER_CLIENT} symbols)`,
      clients: gateway.clients,
      rssKiBPerConnection: gateway.rssKiBPerConnection,
      heapUsedKiBPerConnection: gateway.heapUsedKiBPerConnection,
      rssBeforeMiB: gateway.rssBeforeMiB,
      rssAfterMiB: gateway.rssAfterMiB,
      rawWsRssKiBPerConnection: raw.rssKiBPerConnection,
      rawWsHeapUsedKiBPerConnection: raw.heapUsedKiBPerConnection,
      rawWsRssBeforeMiB: raw.rssBeforeMiB,
      rawWsRssAfterMiB: raw.rssAfterMiB,
      ratioToRawWs: ratioOf(gateway.rssKiBPerConnection, raw.rssKiBPerConnection),
      rssKiBPerConnectionNoGc: gateway.rssKiBPerConnectionNoGc,
      rawWsRssKiBPerConnectionNoGc: raw.rssKiBPerConnectionNoGc,
      ratioToRawWsNoGc: ratioOf(gateway.rssKiBPerConnectionNoGc, raw.rssKiBPerConnectionNoGc),
      note: `RSS and heap deltas over the connections, each server read right after a last-resort full GC, the same way for both; ...NoGc: read ${o.settleSec} s after start and after connecting, as V8 left the heap`,
    });
  } finally {
    rmSync(gcDir, { recursive: true, force: true });
  }
}

async function measure(o, report, name, gcDir, start) {
  const server = await start();
  let fleet;
  let readings = 0;
  const collected = () => afterFullGc(server.pid, readings++, gcDir);
  try {
    await sleep(o.settleSec * 1000);
    const noGcBefore = rssOf(server.pid);
    const before = await collected();
    report.log(`footprint: ${name} idle at ${mib(noGcBefore)} MiB RSS, ${mib(before.rss)} MiB after a full GC; connecting ${o.clients} idle clients`);
    fleet = await ClientFleet.open({ port: server.port, count: o.clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
    await sleep(o.settleSec * 1000);
    const noGcAfter = rssOf(server.pid);
    const after = await collected();
    report.log(`footprint: ${name} with ${fleet.connected} clients at ${mib(noGcAfter)} MiB RSS, ${mib(after.rss)} MiB after a full GC`);
    const perConnection = (from, to) => Math.round(((to - from) / fleet.connected / 1024) * 10) / 10;
    return {
      clients: fleet.connected,
      rssKiBPerConnection: perConnection(before.rss, after.rss),
      heapUsedKiBPerConnection: perConnection(before.heapUsed, after.heapUsed),
      rssBeforeMiB: mib(before.rss),
      rssAfterMiB: mib(after.rss),
      rssKiBPerConnectionNoGc: perConnection(noGcBefore, noGcAfter),
    };
  } finally {
    await fleet?.close();
    await server.stop();
  }
}

/** Asks the server's preload for a last-resort GC and resolves with the memory it reports after it. */
async function afterFullGc(pid, reading, gcDir) {
  const file = path.join(gcDir, `${pid}-${reading}.json`);
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 60_000; waited += 100) {
    await sleep(100);
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`process ${pid} did not report its memory after a full GC within 60 s (is full-gc.preload.mjs loaded?)`);
}

function mib(bytes) {
  return Math.round((bytes / 1048576) * 10) / 10;
}
