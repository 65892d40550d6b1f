import { Redis } from 'ioredis';
import type { AppProcess } from './app-process.js';
import { ProcessorDouble } from './processor-double.js';
import { RedisProxy } from './redis-proxy.js';
import { isolatedEnv, REDIS_URL, startApp } from './system.js';
import { TestClient } from './ws-client.js';

/**
 * A real gateway process on the shared Redis through a RedisProxy (so the test can hold back what it
 * reads), no processor: the test plays it with a ProcessorDouble on the same key prefix.
 */
export class ProxiedGateway {
  private readonly clients: TestClient[] = [];

  private constructor(
    readonly gateway: AppProcess,
    readonly proxy: RedisProxy,
    readonly redis: Redis,
    readonly prefix: string,
    readonly processor: ProcessorDouble,
  ) {}

  /** `seed` runs before the gateway starts, to store what its first snapshots read. */
  static async start(env: Record<string, string>, seed: (processor: ProcessorDouble) => Promise<void> = async () => undefined): Promise<ProxiedGateway> {
    const proxy = await RedisProxy.start(Number(new URL(REDIS_URL).port || 6379));
    const full = isolatedEnv({ ...env, REDIS_URL: proxy.url });
    const redis = new Redis(REDIS_URL);
    const processor = new ProcessorDouble(redis, full.REDIS_KEY_PREFIX);
    try {
      await seed(processor);
      const gateway = await startApp('gateway', full);
      return new ProxiedGateway(gateway, proxy, redis, full.REDIS_KEY_PREFIX, processor);
    } catch (err) {
      await proxy.stop();
      redis.disconnect();
      throw err;
    }
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.gateway.port}/ws`;
  }

  async connect(query = ''): Promise<TestClient> {
    const client = await TestClient.connect(this.wsUrl + query);
    this.clients.push(client);
    return client;
  }

  /** Stops the gateway and the proxy and deletes the test's keys. */
  async stop(): Promise<void> {
    for (const client of this.clients) client.close();
    await this.gateway.stop();
    await this.proxy.stop();
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
  }
}
