import { QuoteWatcher } from './quote-watcher.js';
import { REDIS_URL, startApp, System } from './system.js';
import { TestClient } from './ws-client.js';

export interface WatchedPipeline {
  system: System;
  /** Every quote the processor publishes, seen from before the first tick exists. */
  watcher: QuoteWatcher;
  /** A client subscribed to the symbols before the first tick. */
  client: TestClient;
}

/**
 * The pipeline under observation for the fault tests: processor and gateway, a watcher on every quote
 * channel and a subscribed client, and only then the generator, so nothing published is missed.
 */
export async function startWatchedPipeline(env: Record<string, string>, symbols: string[]): Promise<WatchedPipeline> {
  const system = await System.start({ ...env, SYMBOLS: symbols.join(',') }, ['processor', 'gateway']);
  const watcher = await QuoteWatcher.start(REDIS_URL, system.env.REDIS_KEY_PREFIX);
  const client = await TestClient.connect(system.wsUrl);
  client.send({ action: 'subscribe', payload: { symbols } });
  await client.expect('subscribed');
  await client.expect('snapshot');
  system.apps.generator = await startApp('generator', system.env);
  return { system, watcher, client };
}

export async function stopWatchedPipeline(pipeline: Partial<WatchedPipeline>): Promise<void> {
  pipeline.client?.close();
  pipeline.watcher?.stop();
  await pipeline.system?.stop();
}
