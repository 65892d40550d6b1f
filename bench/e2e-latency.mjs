// Benchmark 2, end-to-end latency: from a tick's `timestamp` (set by the generator when it makes the
// round) to the update's arrival at a WebSocket client, through the whole pipeline, for 100 and 1,000
// clients each subscribed to 10 of the 24 symbols, at the default rate and 10x and 100x it.
//
// Resolution: `timestamp` is whole epoch milliseconds and the client reads its clock with sub-ms
// precision, so a figure can read up to 1 ms high, never low. Clients are on the same 2-core machine
// and the time an update waits in a client process's own event loop counts too.
import { setTimeout as sleep } from 'node:timers/promises';
import { scrape } from './lib/app-metrics.mjs';
import { benchEnv, KAFKA_BROKERS, nominalRate, rateSettings, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { boundHint } from './lib/bench-report.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { bareKafkaLatency, HopObservers } from './lib/hop-observers.mjs';
import { pidListeningOn, ProcessSampler } from './lib/process-sampler.mjs';

const BENCH = 'e2e-latency';
const DEFAULT_RATE = 240; // 24 symbols every 100 ms
const SYMBOLS_PER_CLIENT = 10;

export async function run(options, report) {
  const o = options.latency;
  const env = benchEnv();
  report.log('latency: bare kafkajs produce -> consume at the default rate (the baseline of the Kafka hop)');
  const bare = await bareKafkaLatency({
    topic: `${env.KAFKA_TICKS_TOPIC}-bare-latency`,
    partitions: 6,
    symbols: UNIVERSE,
    intervalMs: 100,
    seconds: o.measureSec,
  });
  report.emit({ bench: BENCH, scenario: 'bare kafkajs produce -> consume, 24 records every 100 ms', baseline: true, latencyMs: bare });
  const profile = options.profile && 'latency';
  const processor = await startBenchApp('processor', env, { profile });
  const gateway = await startBenchApp('gateway', env, { profile });
  try {
    for (const clients of o.clients) {
      report.log(`latency: connecting ${clients} clients x ${SYMBOLS_PER_CLIENT} symbols`);
      const fleet = await ClientFleet.open({ port: gateway.port, count: clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
      try {
        for (const multiplier of o.multipliers) {
          report.emit(await measure({ env, processor, gateway, fleet, clients, multiplier, o, report }));
        }
      } finally {
        await fleet.close();
      }
    }
  } finally {
    await stopBenchApp(gateway);
    await stopBenchApp(processor);
  }
}

async function measure({ env, processor, gateway, fleet, clients, multiplier, o, report }) {
  const settings = rateSettings(DEFAULT_RATE * multiplier);
  const rate = nominalRate({ ...env, ...settings });
  report.log(`latency: ${clients} clients at ${multiplier}x (${rate} ticks/s: TICK_INTERVAL_MS=${settings.TICK_INTERVAL_MS}, TICK_BURST=${settings.TICK_BURST})`);
  const generator = await startBenchApp('generator', { ...env, ...settings });
  const hops = await HopObservers.start({ topic: env.KAFKA_TICKS_TOPIC, prefix: env.REDIS_KEY_PREFIX });
  try {
    await sleep(o.warmSec * 1000);
    const sampler = new ProcessSampler({
      generator: generator.pid,
      processor: processor.pid,
      gateway: gateway.pid,
      kafka: pidListeningOn(Number(KAFKA_BROKERS.split(',')[0].split(':')[1])),
      redis: pidListeningOn(Number(new URL(REDIS_URL).port || 6379)),
      ...Object.fromEntries(fleet.pids.map((pid, i) => [`clients${i}`, pid])),
    });
    const before = await gatewayCounters(gateway, processor);
    await fleet.reset();
    hops.reset();
    sampler.start();
    await sleep(o.measureSec * 1000);
    const received = await fleet.report();
    const cpu = sampler.stop();
    const after = await gatewayCounters(gateway, processor);
    const stored = after.stored - before.stored;
    const expected = (stored * clients * SYMBOLS_PER_CLIENT) / UNIVERSE.length;
    return {
      bench: BENCH,
      scenario: `${clients} clients x ${SYMBOLS_PER_CLIENT} symbols, ${multiplier}x rate`,
      clients,
      multiplier,
      ratePerSec: rate,
      storedPerSec: Math.round(stored / cpu.seconds),
      latencyMs: received.latency,
      hopsMs: { ...hops.report(), toClient: received.latency },
      updatesPerSec: Math.round(received.updates / cpu.seconds),
      deliveredShare: expected > 0 ? Math.round((received.updates / expected) * 1000) / 1000 : null,
      perClientMin: received.perClientMin,
      perClientMax: received.perClientMax,
      conflated: after.conflated - before.conflated,
      slowClientsClosed: after.slowClosed - before.slowClosed,
      clientsOpen: received.open,
      closes: received.closes,
      gatewayEventLoopP99Ms: after.eventLoopP99Ms,
      kafkaBrokers: KAFKA_BROKERS,
      cpu,
      bound: boundHint(cpu),
    };
  } finally {
    await hops.stop();
    await stopBenchApp(generator);
    await sleep(1000);
  }
}

/** The apps' counters; NaN for an app too busy to answer its /metrics (the gateway at overload). */
async function gatewayCounters(gateway, processor) {
  const none = () => new Map();
  const [g, p] = await Promise.all([scrape(gateway.port).catch(none), scrape(processor.port).catch(none)]);
  return {
    conflated: g.get('gateway_updates_conflated_total') ?? Number.NaN,
    slowClosed: g.get('gateway_slow_clients_closed_total') ?? Number.NaN,
    eventLoopP99Ms: Math.round((g.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 10_000) / 10,
    stored: p.get('processor_ticks_stored_total') ?? Number.NaN,
  };
}
