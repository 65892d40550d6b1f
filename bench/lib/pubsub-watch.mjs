// A server's pub/sub connections to the shared Redis, watched from outside while a benchmark runs:
// found by the local ports its process has open to Redis (CLIENT LIST shows the peer address), then
// sampled with CLIENT LIST ID for the output buffer Redis holds for them (omem) and for being gone.
// This Redis (7.0.15) has no INFO counter of output-buffer-limit disconnections (later ones do), and a
// shared Redis's counter would count everyone's; a connection id that disappears is ours alone.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** CLIENT LIST lines as objects of their key=value fields. */
export function parseClientList(text) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.trim().split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])));
}

/** Local ports of `pid`'s established TCP connections to `redisPort` on 127.0.0.1. */
function portsToRedis(pid, redisPort) {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `dport = :${redisPort}`], { encoding: 'utf8' });
  const ports = new Set();
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[2];
    ports.add(local?.slice(local.lastIndexOf(':') + 1));
  }
  return ports;
}

/** The pub/sub connections (subscribed to at least one channel) of process `pid`. */
export async function pubSubConnectionsOf(redis, pid, redisPort) {
  const ports = portsToRedis(pid, redisPort);
  const clients = parseClientList(await redis.client('LIST', 'TYPE', 'pubsub'));
  return clients.filter((c) => ports.has(c.addr.slice(c.addr.lastIndexOf(':') + 1)) && Number(c.sub) + Number(c.ssub ?? 0) > 0);
}

export class PubSubWatch {
  /** @param ids the CLIENT ids to watch */
  constructor(redis, ids, intervalMs = 200) {
    this.redis = redis;
    this.ids = ids;
    this.intervalMs = intervalMs;
    this.peakOutputBytes = 0;
    this.peakTotalBytes = 0;
    this.lost = new Map();
    this.running = false;
  }

  start() {
    this.running = true;
    this.startedAt = performance.now();
    this.loop = this.run();
    return this;
  }

  async run() {
    while (this.running) {
      await this.sample().catch(() => undefined);
      await sleep(this.intervalMs);
    }
  }

  async sample() {
    const seen = parseClientList(await this.redis.client('LIST', 'ID', ...this.ids));
    for (const c of seen) {
      this.peakOutputBytes = Math.max(this.peakOutputBytes, Number(c.omem));
      this.peakTotalBytes = Math.max(this.peakTotalBytes, Number(c['tot-mem']));
    }
    const present = new Set(seen.map((c) => c.id));
    for (const id of this.ids) if (!present.has(id) && !this.lost.has(id)) this.lost.set(id, Math.round(performance.now() - this.startedAt));
  }

  /** Stops; what Redis held for the connections at most, and which of them went (ms after start). */
  async stop() {
    this.running = false;
    await this.loop;
    await this.sample().catch(() => undefined);
    return {
      connections: this.ids.length,
      lost: this.lost.size,
      lostAtMs: [...this.lost.values()],
      peakOutputMiB: Math.round((this.peakOutputBytes / 1048576) * 100) / 100,
      peakTotalMiB: Math.round((this.peakTotalBytes / 1048576) * 100) / 100,
    };
  }
}
