// Prometheus histograms with a `stage` label read from an app's /metrics, differenced between two
// scrapes, and their percentiles (linear within a bucket; a percentile past the last finite bucket
// reads as that bucket's edge, marked by `over`).

/** `name`'s buckets per stage: Map(stage -> [[le, cumulative count], ...]) in the order exposed. */
export async function scrapeStages(port, name) {
  let text;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    text = await res.text();
  } catch {
    return new Map();
  }
  const stages = new Map();
  const pattern = new RegExp(`^${name}_bucket\\{(.*)\\} (\\S+)$`);
  for (const line of text.split('\n')) {
    const hit = pattern.exec(line);
    if (!hit) continue;
    const stage = /stage="([^"]*)"/.exec(hit[1])?.[1];
    const le = /le="([^"]*)"/.exec(hit[1])?.[1];
    if (stage === undefined || le === undefined) continue;
    if (!stages.has(stage)) stages.set(stage, []);
    stages.get(stage).push([le === '+Inf' ? Infinity : Number(le), Number(hit[2])]);
  }
  return stages;
}

/** p50 and p99 in ms of the observations between two scrapes, per stage. */
export function stagePercentiles(before, after) {
  const out = {};
  for (const [stage, buckets] of after) {
    const earlier = new Map(before.get(stage) ?? []);
    const counts = buckets.map(([le, n]) => [le, n - (earlier.get(le) ?? 0)]);
    const total = counts.at(-1)?.[1] ?? 0;
    if (total <= 0) continue;
    out[stage] = { n: total, p50: percentile(counts, total, 0.5), p99: percentile(counts, total, 0.99) };
  }
  return out;
}

function percentile(cumulative, total, q) {
  const rank = q * total;
  let lowerEdge = 0;
  let lowerCount = 0;
  for (const [le, count] of cumulative) {
    if (count >= rank) {
      if (le === Infinity) return round(lowerEdge * 1000);
      const share = count === lowerCount ? 1 : (rank - lowerCount) / (count - lowerCount);
      return round((lowerEdge + share * (le - lowerEdge)) * 1000);
    }
    lowerEdge = le;
    lowerCount = count;
  }
  return Number.NaN;
}

const round = (ms) => Math.round(ms * 100) / 100;
