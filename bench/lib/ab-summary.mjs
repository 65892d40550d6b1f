// The A/B table: per figure of each scenario, each side's median over the pairs with its spread
// (min-max), and the ratio of the medians (current / reference). Figures are the numeric leaves of a
// result whose names say what they are (percentiles, rates, per-connection memory, falling-behind
// counts); CPU samples and settings are left out.
import { table } from './bench-report.mjs';

const FIGURE = /(^|\.)(p50|p99|ticksPerSec|updatesPerSec|peakUpdatesPerSec|keptUpToPerSec|rssKiBPerConnection|heapUsedKiBPerConnection|atLatest1s|pubsubDisconnects|deliveredShare|peakRssMiB|overallPerSec|gatewayCpuUsPerUpdate|clientsCpuUsPerUpdate|gatewayCpuPctTotal|clientsCpuPctTotal|shareWithGapOver2s)$/;
const SKIP = new Set(['cpu', 'side', 'pair', 'perClientMin', 'perClientMax']);

/** `{ 'a.b.p50': 1.2, ... }` for the figures of one result. */
export function figuresOf(result, prefix = '', out = {}) {
  for (const [key, value] of Object.entries(result)) {
    if (SKIP.has(key)) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number' && Number.isFinite(value) && FIGURE.test(name)) out[name] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) figuresOf(value, name, out);
  }
  return out;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const num = (n) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100));

/** Rows of `bench | scenario | figure`, one column group per side, in the order the figures came. */
export function abTable(results, [current, reference]) {
  const series = new Map();
  for (const result of results) {
    if (!result.bench || result.bench === 'machine' || result.scenario === 'error') continue;
    for (const [figure, value] of Object.entries(figuresOf(result))) {
      const key = `${result.bench} | ${result.scenario} | ${figure}`;
      if (!series.has(key)) series.set(key, { [current]: [], [reference]: [] });
      series.get(key)[result.side]?.push(value);
    }
  }
  const cell = (values) => (values.length === 0 ? '-' : `${num(median(values))} (${num(Math.min(...values))}-${num(Math.max(...values))})`);
  const rows = [['bench | scenario | figure', `${current} median (min-max)`, `${reference} median (min-max)`, 'ratio', 'n']];
  for (const [key, sides] of series) {
    const a = sides[current];
    const b = sides[reference];
    const ratio = a.length && b.length && median(b) !== 0 ? `${(median(a) / median(b)).toFixed(2)}x` : '';
    rows.push([key, cell(a), cell(b), ratio, `${a.length}/${b.length}`]);
  }
  return table(`A/B: ${current} vs ${reference}, medians over alternating pairs`, rows);
}
