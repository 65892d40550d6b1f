import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { generatorReport } from '../support/generator-report.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertConsecutive, assertSameSeqs, assertStrictlyIncreasing, highest, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { startWatchedPipeline, stopWatchedPipeline } from '../support/watched-pipeline.js';
import type { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];

/** SIGTERM, then the exit must be clean (0) and within the 10 s a supervisor waits before SIGKILL. */
async function terminate(app: AppProcess): Promise<number> {
  const exit = await app.stop('SIGTERM');
  assert.equal(exit.code, 0, `${app.name} exits 0 on SIGTERM:\n${app.output.slice(-2000)}`);
  assert.ok(exit.ms < 10_000, `${app.name} took ${exit.ms} ms to stop`);
  return exit.ms;
}

describe('SIGTERM of each app under load', () => {
  let system: System;
  let watcher: QuoteWatcher;
  let client: TestClient;
  const topics = new TopicReader(KAFKA_BROKERS);

  before(async () => {
    ({ system, watcher, client } = await startWatchedPipeline({ TICK_INTERVAL_MS: '10' }, SYMBOLS));
  }, { timeout: 120_000 });

  after(async () => {
    await stopWatchedPipeline({ system, watcher, client });
  }, { timeout: 60_000 });

  it('each app exits 0 within 10 s, and every tick acknowledged to the generator ends up stored and published', { timeout: 180_000 }, async (t) => {
    const stopped: Record<string, number> = {};
    await waitUntil('the processor to store ticks', () => watcher.publishedCount >= 300, { timeoutMs: 20_000 });

    stopped.processor = await terminate(system.apps.processor!);
    system.apps.processor = await startApp('processor', system.env);
    const publishedAtRestart = watcher.publishedCount;
    // A processor that stopped cleanly left the group, so its successor gets the partitions at once.
    await waitUntil('the new processor to resume storing', () => watcher.publishedCount >= publishedAtRestart + 300, { timeoutMs: 20_000 });

    const updates = client.updates().length;
    await waitUntil('the client to be receiving updates', () => client.updates().length >= updates + 50, { timeoutMs: 10_000 });
    stopped.gateway = await terminate(system.apps.gateway!);
    assert.equal((await client.closed).code, 1001, 'the gateway says goodbye with 1001 going away');
    assertStrictlyIncreasing(seqsSeenBy(client), 'client until the gateway stopped');
    assertConsecutive(seqsSeenBy(client), 'client until the gateway stopped');

    stopped.generator = await terminate(system.apps.generator!);
    const report = generatorReport(system.apps.generator!.output);
    assert.equal(report.failed, 0);
    const inKafka = await topics.read(system.env.KAFKA_TICKS_TOPIC);
    assert.equal(inKafka.count, report.published, 'the generator flushed every tick it made and Kafka holds each once');
    assertConsecutive(inKafka.seqs, 'ticks in Kafka');

    const lastProduced = highest(inKafka.seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq in Kafka', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 30_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    // The first processor's SIGTERM skipped nothing: every acknowledged tick was published once, in order.
    assertSameSeqs(watcher.published, inKafka.seqs, 'quotes the processors published vs ticks in Kafka');

    stopped.processorAfterRestart = await terminate(system.apps.processor!);
    t.diagnostic(`stop times (ms): ${JSON.stringify(stopped)}; ${report.published} ticks`);
  });
});
