// Benchmark: the trace of single ticks through the pipeline at the default rate with 100 clients (10
// symbols each), and a bare kafkajs producer -> consumer at the same rate in the same run. Each figure
// is the age of a tick (since the generator's `timestamp`) when it reaches a stage, p50 and p99:
//   bare kafkajs            the baseline: a bare consumer of a bare producer's records
//   kafka observer          a bench consumer of its own on the ticks topic (what any consumer could do)
//   processor fetched ... stored   the processor's own trace, processor_tick_stage_seconds{stage}:
//                           kafkajs' fetch returned, batch handed to the server, tick handler entered,
//                           store script sent, script answered (stored and published)
//   redis observer          a bench subscriber on the quote channels
//   gateway read / written  gateway_quote_stage_seconds{stage}, when the gateway exposes it
//   clients                 the WebSocket clients' receipt
// The apps' stages are histograms (interpolated within buckets of 0.25 ms and up); the observers and
// clients keep 0.1 ms buckets. `timestamp` is whole ms, so every age reads up to 1 ms high alike.
import { setTimeout as sleep } from 'node:timers/promises';
import { benchEnv, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';
import { ClientFleet, spreadSymbols } from './lib/client-fleet.mjs';
import { bareKafkaLatency, HopObservers } from './lib/hop-observers.mjs';
import { scrapeStages, stagePercentiles } from './lib/stage-histograms.mjs';

const BENCH = 'trace';
const SYMBOLS_PER_CLIENT = 10;
const PROCESSOR_STAGES = ['fetched', 'batch', 'handled', 'sent', 'stored'];
const GATEWAY_STAGES = ['read', 'written'];

export async function run(options, report) {
  const o = options.trace;
  const env = benchEnv();
  report.log('trace: bare kafkajs produce -> consume at the default rate');
  const bare = await bareKafkaLatency({ topic: `${env.KAFKA_TICKS_TOPIC}-bare-trace`, partitions: 6, symbols: UNIVERSE, intervalMs: 100, seconds: o.measureSec });
  const processor = await startBenchApp('processor', env, { profile: options.profile && 'trace' });
  const gateway = await startBenchApp('gateway', env, { profile: options.profile && 'trace' });
  let fleet;
  let generator;
  let hops;
  try {
    report.log(`trace: ${o.clients} clients x ${SYMBOLS_PER_CLIENT} symbols at the default rate for ${o.measureSec} s`);
    fleet = await ClientFleet.open({ port: gateway.port, count: o.clients, symbolsFor: spreadSymbols(UNIVERSE, SYMBOLS_PER_CLIENT) });
    generator = await startBenchApp('generator', env);
    hops = await HopObservers.start({ topic: env.KAFKA_TICKS_TOPIC, prefix: env.REDIS_KEY_PREFIX });
    await sleep(o.warmSec * 1000);
    const before = await scrapeAll(processor, gateway);
    await fleet.reset();
    hops.reset();
    await sleep(o.measureSec * 1000);
    const received = await fleet.report();
    const after = await scrapeAll(processor, gateway);
    const observed = hops.report();
    const processorStages = stagePercentiles(before.processor, after.processor);
    const gatewayStages = stagePercentiles(before.gateway, after.gateway);
    const stagesMs = { 'bare kafkajs': pick(bare), 'kafka observer': pick(observed.toKafkaConsumer) };
    for (const stage of PROCESSOR_STAGES) if (processorStages[stage]) stagesMs[`processor ${stage}`] = processorStages[stage];
    stagesMs['redis observer'] = pick(observed.toRedisPubSub);
    for (const stage of GATEWAY_STAGES) if (gatewayStages[stage]) stagesMs[`gateway ${stage}`] = gatewayStages[stage];
    stagesMs.clients = pick(received.latency);
    report.emit({ bench: BENCH, scenario: `${o.clients} clients x ${SYMBOLS_PER_CLIENT} symbols, 1x rate`, clients: o.clients, measureSec: o.measureSec, stagesMs, updates: received.updates });
  } finally {
    await hops?.stop();
    await stopBenchApp(generator);
    await fleet?.close();
    await stopBenchApp(gateway);
    await stopBenchApp(processor);
  }
}

const pick = (summary) => ({ n: summary.n, p50: summary.p50, p99: summary.p99 });

async function scrapeAll(processor, gateway) {
  const [p, g] = await Promise.all([scrapeStages(processor.port, 'processor_tick_stage_seconds'), scrapeStages(gateway.port, 'gateway_quote_stage_seconds')]);
  return { processor: p, gateway: g };
}
