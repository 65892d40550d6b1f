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
}

/** `<repo>/scripts/infra.mjs`, seen from this file compiled to `dist/test/support/`. */
const INFRA_SCRIPT = new URL('../../../scripts/infra.mjs', import.meta.url).href;

/**
 * A fault test's own Kafka and Redis, started with scripts/infra.mjs on ports nobody else uses, so a
 * test may stop and start them. The shared Kafka (9092) and Redis (6379) are never touched.
 */
export async function localInfra(): Promise<InfraScript> {
  const infra = (await import(INFRA_SCRIPT)) as InfraScript;
  infra.setQuiet(process.env.INFRA_VERBOSE !== '1');
  return infra;
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

/**
 * Refuses to go on when one of the ports is taken: infra.mjs would reuse a broker or Redis found there,
 * and the test would then stop someone else's server. Pick other ports with the env variable named.
 */
export async function assertPortsFree(ports: number[], variable: string): Promise<void> {
  for (const port of ports) {
    if (await listening(port)) {
      throw new Error(`127.0.0.1:${port} is already in use; this test stops what it starts there. Set ${variable} to a free base port.`);
    }
  }
}

/** A port from the environment, or the test's default. */
export function portFromEnv(variable: string, fallback: number): number {
  const value = Number(process.env[variable] ?? fallback);
  if (!Number.isInteger(value) || value < 1024 || value > 65_000) throw new Error(`${variable} must be a port number, got ${process.env[variable]}`);
  return value;
}
