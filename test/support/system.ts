import { randomUUID } from 'node:crypto';
import { AppProcess, type AppName, type Launch } from './app-process.js';
import { freePort } from './ports.js';

export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Env that gives a test its own topics, consumer group and Redis keys on the shared Kafka and Redis. */
export function isolatedEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = `t${randomUUID().slice(0, 8)}`;
  return {
    KAFKA_BROKERS,
    REDIS_URL,
    KAFKA_TICKS_TOPIC: `${id}-ticks`,
    KAFKA_DLQ_TOPIC: `${id}-ticks.dlq`,
    KAFKA_GROUP_ID: `${id}-processor`,
    KAFKA_TOPIC_PARTITIONS: '3',
    REDIS_KEY_PREFIX: `${id}:`,
    SYMBOLS: 'AAPL,MSFT,GOOG,AMZN,TSLA',
    TICK_INTERVAL_MS: '50',
    ...overrides,
  };
}

export const PORT_VARIABLE: Record<AppName, string> = {
  generator: 'GENERATOR_PORT',
  processor: 'PROCESSOR_PORT',
  gateway: 'GATEWAY_PORT',
};

/** Starts one app on a free port with the given env, from dist/ unless launched otherwise. */
export async function startApp(name: AppName, env: Record<string, string>, launch?: Launch, timeoutMs?: number): Promise<AppProcess> {
  const port = await freePort();
  return AppProcess.start(name, port, { ...env, [PORT_VARIABLE[name]]: String(port) }, timeoutMs, launch);
}

/** The whole pipeline, each app a real process, isolated from other tests. */
export class System {
  private constructor(
    readonly env: Record<string, string>,
    readonly apps: Partial<Record<AppName, AppProcess>>,
  ) {}

  static async start(overrides: Record<string, string> = {}, names: AppName[] = ['processor', 'gateway', 'generator']) {
    const env = isolatedEnv(overrides);
    const apps: Partial<Record<AppName, AppProcess>> = {};
    const system = new System(env, apps);
    try {
      for (const name of names) apps[name] = await startApp(name, env);
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.apps.gateway!.port}/ws`;
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.apps).map((app) => app.stop('SIGTERM')));
  }
}
