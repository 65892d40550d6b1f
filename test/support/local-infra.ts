import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';

/** What a fault test needs from scripts/infra.mjs (plain JS, so typed here by hand and loosely). */
export interface KafkaClusterOptions {
  kafkaPort: number;
  kafkaBrokers?: number;
  signal?: 'SIGTERM' | 'SIGKILL';
}

interface InfraScript {
  setQuiet(quiet: boolean): void;
  startKafka(opts: KafkaClusterOptions): Promise<{ bootstrapServers: string }>;
  stopKafka(opts: KafkaClusterOptions): Promise<void>;
  stopKafkaBroker(nodeId: number, opts: KafkaClusterOptions): Promise<boolean>;
  startKafkaBroker(nodeId: number, opts: KafkaClusterOptions): Promise<unknown>;
  startRedis(opts: { redisPort: number }): Promise<{ url: string }>;
  stopRedis(opts: { redisPort: number }): Promise<boolean>;
  /** Six nodes on port..port+5 (cluster bus +6); resolves REDIS_CLUSTER_NODES as `nodes`. */
  startRedisCluster(opts: { redisClusterPort: number }): Promise<{ nodes: string }>;
  /** Stops every node and removes the cluster's state. */
  stopRedisCluster(opts: { redisClusterPort: number }): Promise<boolean>;
  stopRedisClusterNode(port: number, opts: { redisClusterPort: number; signal?: 'SIGTERM' | 'SIGKILL' }): Promise<boolean>;
}

/** `<repo>/scripts/`, seen from this file compiled to `dist/test/support/`. */
const SCRIPTS = new URL('../../../scripts/', import.meta.url);

/**
 * scripts/infra.mjs, for a fault test's own Kafka and Redis, which the test may stop and start.
 * The shared Kafka (9092) and Redis (6379) are never touched.
 */
export async function localInfra(): Promise<InfraScript> {
  const infra = (await import(new URL('infra.mjs', SCRIPTS).href)) as InfraScript;
  infra.setQuiet(process.env.INFRA_VERBOSE !== '1');
  return infra;
}

/**
 * Deletes the state infra.mjs keeps for a stopped Kafka cluster or Redis (data dirs, logs, pid files),
 * so test runs on ever new ports leave nothing behind.
 */
export async function forgetState(opts: KafkaClusterOptions | { redisPort: number }): Promise<void> {
  const dir =
    'redisPort' in opts
      ? ((await import(new URL('infra/redis.mjs', SCRIPTS).href)) as { redisLayout(o: object): { dir: string } }).redisLayout(opts).dir
      : ((await import(new URL('infra/kafka.mjs', SCRIPTS).href)) as { kafkaLayout(o: object): { clusterDir: string } }).kafkaLayout(opts).clusterDir;
  rmSync(dir, { recursive: true, force: true });
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function allFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) if (await listening(port)) return false;
  return true;
}

/*
 * Below Linux's ephemeral range (32768+): while a test keeps its server stopped, a client retrying to
 * connect to a port in that range can be handed the same port as its own source and connect to itself.
 */
const LOWEST = 20_000;
const HIGHEST = 32_000;

/**
 * `count` consecutive ports on 127.0.0.1 nobody listens on, for a server the test will stop and start:
 * from the environment variable if it is set, else a random free range, so that tests run by several
 * people on one machine do not stop each other's servers (infra.mjs would reuse a server it finds).
 */
export async function reservePorts(count: number, variable: string): Promise<number> {
  const fixed = process.env[variable];
  if (fixed) {
    const base = Number(fixed);
    if (!Number.isInteger(base) || base < 1024 || base + count > 65_535) throw new Error(`${variable} must be a port number, got ${fixed}`);
    if (!(await allFree(base, count))) throw new Error(`127.0.0.1:${base}..${base + count - 1} (${variable}) is in use; this test stops what it starts there`);
    return base;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = LOWEST + 2 * Math.floor((Math.random() * (HIGHEST - LOWEST - count)) / 2);
    if (await allFree(base, count)) return base;
  }
  throw new Error(`no ${count} free consecutive ports between ${LOWEST} and ${HIGHEST}; set ${variable}`);
}

/**
 * Kills a Redis that infra.mjs started with SIGKILL (no last fsync of its append-only file), and with
 * `dropData` deletes its data files as well, as if it came back as a new node.
 */
export async function crashRedis(opts: { redisPort: number }, dropData = false): Promise<void> {
  const layout = ((await import(new URL('infra/redis.mjs', SCRIPTS).href)) as { redisLayout(o: object): { dir: string; pidFile: string } }).redisLayout(opts);
  const pid = Number(readFileSync(layout.pidFile, 'utf8').trim());
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && (await listening(opts.redisPort)); i++) await new Promise((r) => setTimeout(r, 50));
  rmSync(layout.pidFile, { force: true });
  if (dropData) for (const name of readdirSync(layout.dir)) if (!name.endsWith('.log') && name !== '.lock') rmSync(`${layout.dir}/${name}`, { recursive: true, force: true });
}
