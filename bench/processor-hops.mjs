#!/usr/bin/env node
// The processor hop taken apart (not part of `npm run bench`): the generator at the default rate, the
// processor with a timing preload (bench/lib/processor-timing.preload.cjs), and the per-hop observers
// of the latency benchmark. Prints, from each tick's timestamp: when the processor's fetch returned it,
// when its Redis script was sent and answered, and when a Redis subscriber saw it published; plus
// the fetch wait, batch handler, script round trip and offset commit times, and each process's CPU.
//   node bench/processor-hops.mjs [seconds=15] [TICK_INTERVAL_MS=100]
// PROCESSOR_COMMIT_INTERVAL_MS in the environment is passed to the processor (0: commit after every batch).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureSupportedNode } from '../scripts/supported-node.mjs';

await ensureSupportedNode();
const seconds = Number(process.argv[2] ?? 15);
const interval = process.argv[3] ?? '100';
const { buildApps } = await import('./lib/build-snapshot.mjs');
buildApps();
const { benchEnv, startBenchApp, stopBenchApp } = await import('./lib/bench-apps.mjs');
const { HopObservers } = await import('./lib/hop-observers.mjs');
const { ensureInfra } = await import('./lib/infra-check.mjs');
const { finish, hardDeadline } = await import('./lib/teardown.mjs');
hardDeadline((seconds + 120) * 1000);
await ensureInfra({ log: (m) => console.error(m), emit: () => undefined });

const out = path.join(mkdtempSync(path.join(tmpdir(), 'processor-hops-')), 'timing.json');
const env = benchEnv({ TICK_INTERVAL_MS: interval });
const processor = await startBenchApp('processor', {
  ...env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require=${path.join(import.meta.dirname, 'lib', 'processor-timing.preload.cjs')}`.trim(),
  PROCESSOR_TIMING_OUT: out,
  ...(process.env.PROCESSOR_COMMIT_INTERVAL_MS ? { PROCESSOR_COMMIT_INTERVAL_MS: process.env.PROCESSOR_COMMIT_INTERVAL_MS } : {}),
});
const generator = await startBenchApp('generator', env);
const hops = await HopObservers.start({ topic: env.KAFKA_TICKS_TOPIC, prefix: env.REDIS_KEY_PREFIX });
const pidOn = (port) => Number(/pid=(\d+)/.exec(execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }))?.[1]);
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const pids = { processor: processor.pid, generator: generator.pid, kafka: pidOn(9092), redis: pidOn(6379) };
try {
  await sleep(4000);
  process.kill(processor.pid, 'SIGUSR2');
  hops.reset();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const started = Date.now();
  await sleep(seconds * 1000);
  const cpu = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, `${Math.round(((cpuMs(pid) - before[name]) / (Date.now() - started)) * 100)} %`]));
  process.kill(processor.pid, 'SIGUSR2');
  await sleep(300);
  const seen = hops.report();
  const timing = JSON.parse(readFileSync(out, 'utf8'));
  const row = (name, h) => console.log(`${name.padEnd(36)} ${String(h.p50).padStart(7)} ${String(h.p90 ?? '').padStart(7)} ${String(h.p99).padStart(7)}  (n=${h.n})`);
  console.log(`ticks every ${interval} ms for ${seconds} s; CPU: ${JSON.stringify(cpu)}\n${'ms'.padEnd(36)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'p99'.padStart(7)}`);
  row('tick age at a bare Kafka consumer', seen.toKafkaConsumer);
  for (const name of ['tick age when fetched', 'tick age when the script is sent', 'tick age when the script answers']) if (timing[name]) row(name, timing[name]);
  row('tick age at a Redis subscriber', seen.toRedisPubSub);
  for (const name of ['fetch wait', 'batch handler', 'script round trip', 'offset commit']) if (timing[name]) row(name, timing[name]);
} finally {
  await hops.stop();
  await stopBenchApp(generator);
  await stopBenchApp(processor);
}
await finish(0);
