// Output of a benchmark run: one JSON line per scenario on stdout as it finishes (also appended to
// bench/results/<run>.jsonl), progress on stderr, and human tables at the end.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const RESULTS_DIR = path.resolve(import.meta.dirname, '..', 'results');

export class BenchReport {
  constructor(runName) {
    this.results = [];
    mkdirSync(RESULTS_DIR, { recursive: true });
    this.file = path.join(RESULTS_DIR, `${runName}.jsonl`);
  }

  log(message) {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  }

  /** Prints and records one scenario's result. */
  emit(result) {
    const line = JSON.stringify(result);
    this.results.push(result);
    process.stdout.write(`${line}\n`);
    appendFileSync(this.file, `${line}\n`);
  }
}

/** A plain-text table: `rows` are arrays of cells, the first row the header. */
export function table(title, rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join('  ').trimEnd();
  return [`\n${title}`, line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : n === undefined ? '-' : String(n)),
  ms: (n) => (Number.isFinite(n) ? `${n.toFixed(1)}` : String(n)),
  pct: (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)} %` : String(n)),
};

/**
 * A guess at what bounded a scenario, from its CPU samples: a process at (nearly) a full core, else
 * all cores busy, else nothing saturated (latency-bound: hops and wake-ups, not throughput).
 */
export function boundHint(cpu) {
  if (!cpu) return '';
  const busiest = Object.entries(cpu.processes)
    .filter(([name]) => !name.startsWith('clients'))
    .sort((a, b) => b[1].cpuPct - a[1].cpuPct)[0];
  const clients = Object.entries(cpu.processes).filter(([name]) => name.startsWith('clients')).reduce((n, [, p]) => n + p.cpuPct, 0);
  const parts = [];
  if (busiest && busiest[1].cpuPct >= 85) parts.push(`${busiest[0]} CPU ${busiest[1].cpuPct} %`);
  if (cpu.machineBusyPct >= 90) parts.push(`machine ${cpu.machineBusyPct} % busy`);
  if (clients >= 50) parts.push(`clients ${clients} %`);
  if (cpu.othersCpuPct >= 20) parts.push(`others ${cpu.othersCpuPct} %`);
  return parts.join(', ') || `nothing saturated (machine ${cpu.machineBusyPct} %)`;
}
