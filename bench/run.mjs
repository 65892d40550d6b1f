#!/usr/bin/env node
// `npm run bench`: the benchmarks against the real Kafka, Redis and apps on this machine, each with its
// raw baseline measured in the same run. One JSON line per scenario on stdout, tables at the end;
// progress on stderr. See BENCHMARKS.md for what each figure means and the last full run.
//   npm run bench                       full run, ~15 min
//   npm run bench -- --quick            smoke check, ~2 min
//   npm run bench -- --only=fanout      some benchmarks; --profile writes CPU profiles of the apps
//   npm run bench -- --only=trace       a tick's age at each stage through the apps, p50/p99, beside bare kafkajs
//   npm run bench -- --only=rebuild     Redis rebuilt from an hour of ticks in Kafka, and its cost (not in the full run)
//   npm run bench -- --only=c100k       100,000 live connections over the gateway's workers (not in the full run)
//   npm run bench -- --summarize=bench/results/<run>.jsonl   the tables of an earlier run
//   npm run bench -- --quick --only=latency --against=42d9f00 --pairs=3   A/B against a revision, alternating
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureSupportedNode } from '../scripts/supported-node.mjs';
import { buildApps, snapshotDist } from './lib/build-snapshot.mjs';
import { parseOptions } from './lib/bench-options.mjs';
import { BenchReport } from './lib/bench-report.mjs';
import { finish, hardDeadline, onTeardown } from './lib/teardown.mjs';

// The apps run on the Node this runs on: the supported one, as in production (fetched if need be).
await ensureSupportedNode();
const options = parseOptions();
if (options.summarize) {
  const { summaryTables } = await import('./lib/bench-summary.mjs');
  const lines = readFileSync(options.summarize, 'utf8').split('\n').filter(Boolean);
  console.log(summaryTables(lines.map((line) => JSON.parse(line))));
  process.exit(0);
}
const runName = `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${options.name}${options.against ? '-ab' : ''}`;
const report = new BenchReport(runName);
if (options.against) {
  await abRun();
} else {
  hardDeadline(options.deadlineMs);
  if (options.child) {
    process.env.BENCH_ROOT = options.child;
  } else {
    if (options.build) {
      report.log('building (incremental tsc)');
      buildApps();
    }
    const snapshot = snapshotDist();
    process.env.BENCH_ROOT = snapshot.dir;
    onTeardown(async () => snapshot.remove());
  }
  await runBenches();
}

/** The A/B mode: this tree (built and snapshotted) against `--against`, in alternating child runs. */
async function abRun() {
  const { buildRevision, runPairs } = await import('./lib/ab-runs.mjs');
  const { abTable } = await import('./lib/ab-summary.mjs');
  // Each child keeps its own deadline; this one covers the builds and every child.
  hardDeadline(10 * 60_000 + options.deadlineMs * 2 * options.pairs);
  if (options.build) {
    report.log('building (incremental tsc)');
    buildApps();
  }
  const snapshot = snapshotDist();
  onTeardown(async () => snapshot.remove());
  const revision = buildRevision(options.against, report);
  const reference = `${options.against}`;
  const sides = [
    { name: 'current', dir: snapshot.dir },
    { name: reference, dir: revision.dir },
  ];
  const childArgs = options.argv.filter((a) => !/^--(against|pairs|no-build|build)(=|$)/.test(a));
  report.emit({ bench: 'machine', scenario: 'run', ...machine(), profile: options.name, benches: options.only, against: revision.sha, pairs: options.pairs, startedAt: new Date().toISOString() });
  const results = await runPairs({ sides, pairs: options.pairs, childArgs, report });
  for (const result of results) if (result.bench !== 'machine') report.emit(result);
  process.stdout.write(`${abTable(results, ['current', reference])}\n`);
  report.log(`A/B done; results in ${report.file}`);
  await finish(results.some((r) => r.scenario === 'error') ? 1 : 0);
}

async function runBenches() {
  // Loaded after BENCH_ROOT is set: they import the harness and the apps' code from the snapshot.
  const benches = {
    pipeline: () => import('./pipeline-throughput.mjs'),
    latency: () => import('./e2e-latency.mjs'),
    trace: () => import('./trace.mjs'),
    fanout: () => import('./fan-out.mjs'),
    footprint: () => import('./footprint.mjs'),
    scaleout: () => import('./scale-out.mjs'),
    behind: () => import('./falling-behind.mjs'),
    rebuild: () => import('./rebuild.mjs'),
    c100k: () => import('./c100k.mjs'),
  };
  const { ensureInfra } = await import('./lib/infra-check.mjs');
  await ensureInfra(report);

  report.emit({ bench: 'machine', scenario: 'run', ...machine(), profile: options.name, benches: options.only, startedAt: new Date().toISOString() });
  const started = Date.now();
  let failed = false;
  for (const name of options.only) {
    const t0 = Date.now();
    report.log(`== ${name} ==`);
    try {
      await (await benches[name]()).run(options, report);
    } catch (err) {
      failed = true;
      report.log(`${name} FAILED: ${err?.stack ?? err}`);
      report.emit({ bench: name, scenario: 'error', error: String(err?.message ?? err) });
    }
    report.log(`${name} took ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  const { summaryTables } = await import('./lib/bench-summary.mjs');
  process.stdout.write(`${summaryTables(report.results)}\n`);
  report.log(`done in ${Math.round((Date.now() - started) / 1000)} s; results in ${report.file}`);
  await finish(failed ? 1 : 0);
}

/** The version of the Kafka that scripts/infra.mjs runs locally, from its jar name (docker mode: unknown). */
function kafkaVersion() {
  try {
    const jar = readdirSync(new URL('../.cache/kafka/libs/', import.meta.url)).find((f) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(f));
    return jar?.match(/-([\d.]+)\.jar$/)?.[1];
  } catch {
    return undefined;
  }
}

function machine() {
  const version = (cmd, args, pattern) => {
    try {
      return pattern.exec(execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000 }))?.[1];
    } catch {
      return undefined;
    }
  };
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: version('redis-server', ['--version'], /v=([\d.]+)/),
    kafka: kafkaVersion(),
    loadAvg1m: Math.round(loadavg()[0] * 100) / 100,
  };
}
