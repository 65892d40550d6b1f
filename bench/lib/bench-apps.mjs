// The real apps, started with the test harness (dist/test/support) on free ports with their own topic,
// consumer group and Redis prefix, registered for teardown, and cleaned up after: the bench topics are
// deleted from the shared broker and the bench keys from the shared Redis.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { onTeardown, track, untrack } from './teardown.mjs';

/** Where the built apps and the harness are: a private copy of dist/ (see build-snapshot.mjs) or the repo. */
const ROOT = pathToFileURL(process.env.BENCH_ROOT ?? path.resolve(import.meta.dirname, '..', '..')).href;
const { DEFAULT_SYMBOLS, quoteKey } = await import(`${ROOT}/dist/libs/contracts/src/index.js`);
const { isolatedEnv, KAFKA_BROKERS, REDIS_URL, startApp } = await import(`${ROOT}/dist/test/support/system.js`);

export { KAFKA_BROKERS, quoteKey, REDIS_URL };
export const UNIVERSE = DEFAULT_SYMBOLS.map((s) => s.symbol);
export const PROFILE_DIR = path.resolve(import.meta.dirname, '..', 'profiles');

/**
 * Env for one benchmark: an isolated topic/group/prefix, the default universe of 24 symbols, 6 partitions
 * as in production, and no per-address connection cap or message budget and no overall cap (every bench
 * client comes from 127.0.0.1, thousands of them subscribing at once).
 * The topic and keys are removed at teardown.
 */
export function benchEnv(overrides = {}) {
  const env = isolatedEnv({
    SYMBOLS: UNIVERSE.join(','),
    KAFKA_TOPIC_PARTITIONS: '6',
    TICK_INTERVAL_MS: '100',
    TICK_BURST: '1',
    WS_MAX_CONNECTIONS_PER_IP: '1000000',
    WS_MAX_CONNECTIONS: '1000000',
    WS_ADDRESS_RATE_LIMIT_BURST: '10000000',
    LOG_LEVEL: 'warn',
    ...overrides,
  });
  onTeardown(() => removeBenchData(env));
  return env;
}

/** Ticks per second that TICK_INTERVAL_MS/TICK_BURST give for the env's symbols. */
export function nominalRate(env) {
  return (env.SYMBOLS.split(',').length * Number(env.TICK_BURST) * 1000) / Number(env.TICK_INTERVAL_MS);
}

/**
 * TICK_INTERVAL_MS and TICK_BURST for about `rate` ticks/s over `symbols` symbols: the first interval
 * of `intervals` that gives a whole burst (so 10x the default is a round every 10 ms, not 10 ticks per
 * symbol every 100 ms), else the last interval with the burst rounded.
 */
export function rateSettings(rate, { symbols = UNIVERSE.length, intervals = [10, 20, 50, 100] } = {}) {
  for (const interval of intervals) {
    const burst = (rate * interval) / 1000 / symbols;
    if (burst >= 1 && Number.isInteger(burst)) return { TICK_INTERVAL_MS: String(interval), TICK_BURST: String(burst) };
  }
  const interval = intervals.at(-1);
  const burst = Math.max(1, Math.round((rate * interval) / 1000 / symbols));
  return { TICK_INTERVAL_MS: String(interval), TICK_BURST: String(burst) };
}

/**
 * Starts an app; with `profile` (a label) it writes a V8 CPU profile to bench/profiles/<label>-<app>.cpuprofile
 * when it exits (a preload module, so the app runs exactly as the harness starts it otherwise).
 */
export async function startBenchApp(name, env, { profile, readyTimeoutMs } = {}) {
  let extra = {};
  if (profile) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    extra = {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(path.join(import.meta.dirname, 'cpu-profile.preload.mjs'))}`.trim(),
      BENCH_CPU_PROFILE: path.join(PROFILE_DIR, `${profile}-${name}.cpuprofile`),
    };
  }
  const app = await startApp(name, { ...env, ...extra }, undefined, readyTimeoutMs);
  track(name, app.pid);
  return app;
}

/** SIGTERM, then SIGKILL if it has not exited in `graceMs`. */
export async function stopBenchApp(app, graceMs = 12_000) {
  if (!app) return;
  const timer = setTimeout(() => {
    try {
      process.kill(app.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  const exit = await app.stop('SIGTERM');
  clearTimeout(timer);
  untrack(app.pid);
  return exit;
}

export function benchKafka(clientId = 'bench') {
  return new Kafka({ clientId, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

async function removeBenchData(env) {
  const admin = benchKafka('bench-cleanup').admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const topics = [env.KAFKA_TICKS_TOPIC, env.KAFKA_DLQ_TOPIC].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    await admin.deleteGroups([env.KAFKA_GROUP_ID]).catch(() => undefined);
  } catch {
    // best effort: a leftover bench topic is harmless
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  await deleteKeys(env.REDIS_KEY_PREFIX);
}

/** Removes every Redis key under `prefix` (SCAN, never KEYS: the Redis is shared). */
export async function deleteKeys(prefix) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}
