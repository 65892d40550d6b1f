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
/**
 * The client reads on the test process's event loop, beside the watcher and the test's own polling, and
 * each fault ends in a catch-up burst (the processor or the broker working off what piled up). These
 * tests check that the pipeline loses and repeats nothing, so the client must get every seq: the
 * gateway's slow-client rule, which rightly gives a reader that falls behind a burst only the latest
 * quote, is set out of reach.
 * That rule has tests of its own (delivery-slow-client, hostile-clients).
 */
const NEVER_SLOW = { WS_SLOW_CLIENT_BUFFER_BYTES: String(256 * 1024 * 1024), WS_MAX_CLIENT_BUFFER_BYTES: String(512 * 1024 * 1024) };

export async function startWatchedPipeline(env: Record<string, string>, symbols: string[]): Promise<WatchedPipeline> {
  const system = await System.start({ ...NEVER_SLOW, ...env, SYMBOLS: symbols.join(',') }, ['processor', 'gateway']);
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
