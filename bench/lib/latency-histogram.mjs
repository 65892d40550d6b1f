// Latencies in fixed buckets, cheap to record per update and to merge across client processes:
// 0.1 ms wide up to 100 ms, 1 ms wide up to 10 s, one bucket above. Percentiles are read as the upper
// edge of their bucket (never flattering); the maximum is kept exactly.

const FINE = 1000; // 0.1 ms buckets for [0, 100) ms
const COARSE = 9900; // 1 ms buckets for [100, 10 000) ms
const SIZE = FINE + COARSE + 1;

function bucketOf(ms) {
  if (ms < 100) return ms <= 0 ? 0 : Math.floor(ms * 10);
  if (ms < 10_000) return FINE + Math.floor(ms - 100);
  return SIZE - 1;
}

function upperEdge(bucket) {
  if (bucket < FINE) return (bucket + 1) / 10;
  if (bucket < SIZE - 1) return 100 + (bucket - FINE) + 1;
  return Infinity;
}

export class LatencyHistogram {
  constructor() {
    this.counts = new Uint32Array(SIZE);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  record(ms) {
    this.counts[bucketOf(ms)]++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Sparse, for IPC: [bucket, count] pairs. */
  toJSON() {
    const buckets = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i] > 0) buckets.push([i, this.counts[i]]);
    return { buckets, count: this.count, sum: this.sum, max: this.max };
  }

  add(json) {
    for (const [i, n] of json.buckets) this.counts[i] += n;
    this.count += json.count;
    this.sum += json.sum;
    this.max = Math.max(this.max, json.max);
    return this;
  }

  percentile(p) {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(upperEdge(i), this.max);
    }
    return this.max;
  }

  /** { n, p50, p99, p999, max, mean } in ms, rounded to 0.1 ms. */
  summary() {
    const r = (v) => (Number.isFinite(v) ? Math.round(v * 10) / 10 : v);
    return {
      n: this.count,
      p50: r(this.percentile(50)),
      p99: r(this.percentile(99)),
      p999: r(this.percentile(99.9)),
      max: r(this.max),
      mean: r(this.count ? this.sum / this.count : Number.NaN),
    };
  }
}
