// Many WebSocket clients spread over forked worker processes (ws-client-worker.mjs), so the clients
// are not one event loop that becomes the bottleneck itself; reports merge the workers' counters and
// latency histograms.
import path from 'node:path';
import { BenchChild } from './bench-child.mjs';
import { LatencyHistogram } from './latency-histogram.mjs';

const WORKER = path.join(import.meta.dirname, 'ws-client-worker.mjs');

export class ClientFleet {
  constructor(workers, connected) {
    this.workers = workers;
    this.connected = connected;
  }

  /**
   * Opens `count` clients on ws://127.0.0.1:port/ws, client i subscribed to `symbolsFor(i)`, and resolves
   * once every one has its `subscribed` answer. Throws if any could not connect.
   */
  static async open({ port, count, symbolsFor, path: wsPath = '/ws', workers = Math.min(8, Math.max(2, Math.ceil(count / 1000))) }) {
    const children = Array.from({ length: Math.min(workers, count) }, (_, w) => new BenchChild(`ws-clients-${w}`, WORKER));
    try {
      await Promise.all(children.map((c) => c.next('ready')));
      const specs = children.map(() => []);
      for (let i = 0; i < count; i++) specs[i % children.length].push(symbolsFor(i));
      const answers = await Promise.all(
        children.map((c, w) => c.ask({ cmd: 'connect', port, path: wsPath, clients: specs[w], concurrency: 50 }, 'connected', 120_000)),
      );
      const connected = answers.reduce((n, a) => n + a.connected.connected, 0);
      const failed = answers.reduce((n, a) => n + a.connected.failed, 0);
      if (failed > 0) {
        const why = answers.find((a) => a.connected.firstError)?.connected.firstError;
        throw new Error(`${failed} of ${count} clients could not connect and subscribe: ${why}`);
      }
      return new ClientFleet(children, connected);
    } catch (err) {
      await Promise.all(children.map((c) => c.stop({ cmd: 'close' })));
      throw err;
    }
  }

  get pids() {
    return this.workers.map((w) => w.pid);
  }

  /** Starts a measurement window; with `from` ({symbol: seq}), it counts only updates newer than those seqs. */
  async reset({ from } = {}) {
    await Promise.all(this.workers.map((w) => w.ask({ cmd: 'reset', from }, 'reset')));
  }

  /**
   * Which (client, symbol) pairs held `latest` ({symbol: seq}) as their last seq at epoch ms `at`
   * (now by default), and the updates of the window against those published in it, merged over the
   * workers (see ws-client-worker.mjs). Ask ahead of `at`: a worker busy reading may see the question late.
   */
  async state(latest, at) {
    const id = (this.checks = (this.checks ?? 0) + 1);
    const key = `state-${id}`;
    const states = (await Promise.all(this.workers.map((w) => w.ask({ cmd: 'state', id, latest, at }, key, 120_000)))).map((a) => a[key]);
    const total = {};
    for (const s of states) {
      for (const [key, value] of Object.entries(s)) {
        if (key === 'maxSeqsBehind' || key === 'cutLateMs') total[key] = Math.max(total[key] ?? 0, value);
        else if (key === 'shareMin') total[key] = Math.min(total[key] ?? Infinity, value ?? Infinity);
        else total[key] = (total[key] ?? 0) + value;
      }
    }
    if (total.shareMin === Infinity) total.shareMin = null;
    return total;
  }

  /** Everything received since the last reset, merged over the workers. */
  async report() {
    const reports = (await Promise.all(this.workers.map((w) => w.ask({ cmd: 'report' }, 'report')))).map((a) => a.report);
    const histogram = new LatencyHistogram();
    const closes = {};
    const total = { updates: 0, bytes: 0, negative: 0, errors: 0, open: 0, perClientMin: Infinity, perClientMax: 0 };
    for (const r of reports) {
      histogram.add(r.histogram);
      for (const key of ['updates', 'bytes', 'negative', 'errors', 'open']) total[key] += r[key];
      total.perClientMin = Math.min(total.perClientMin, r.perClientMin);
      total.perClientMax = Math.max(total.perClientMax, r.perClientMax);
      for (const [code, n] of Object.entries(r.closes)) closes[code] = (closes[code] ?? 0) + n;
    }
    return { ...total, closes, latency: histogram.summary() };
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.stop({ cmd: 'close' })));
  }
}

/** Client i's `perClient` symbols: consecutive symbols of the universe starting at i, so every symbol gets about the same number of subscribers. */
export function spreadSymbols(universe, perClient) {
  return (i) => Array.from({ length: Math.min(perClient, universe.length) }, (_, k) => universe[(i + k) % universe.length]);
}
