import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generatorReport } from '../support/generator-report.js';
import { metrics } from '../support/metrics.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertConsecutive, assertSameSeqs, assertStrictlyIncreasing, highest, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { startWatchedPipeline, stopWatchedPipeline } from '../support/watched-pipeline.js';
import type { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];

describe('processor killed with SIGKILL mid-stream and restarted', () => {
  let system: System;
  let watcher: QuoteWatcher;
  let client: TestClient;
  const topics = new TopicReader(KAFKA_BROKERS);

  before(async () => {
    ({ system, watcher, client } = await startWatchedPipeline({ TICK_INTERVAL_MS: '20' }, SYMBOLS));
  }, { timeout: 120_000 });

  after(async () => {
    await stopWatchedPipeline({ system, watcher, client });
  }, { timeout: 60_000 });

  it('stores the last seq produced for every symbol and publishes every tick once, even when all its ticks are redelivered; a connected client never sees seq go backwards', { timeout: 180_000 }, async (t) => {
    const topic = system.env.KAFKA_TICKS_TOPIC;
    // The client reads on this process's event loop: a long stall here is a slow reader to the gateway.
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    await waitUntil('the processor to store ticks', () => watcher.publishedCount >= 100, { timeoutMs: 20_000 });

    const killed = await system.apps.processor!.stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const killedAt = Date.now();
    const publishedAtKill = watcher.publishedCount;
    const backlogFrom = await topics.highWatermarkSum(topic);
    await waitUntil('ticks to pile up in Kafka while no processor runs', async () => (await topics.highWatermarkSum(topic)) >= backlogFrom + 100, {
      timeoutMs: 15_000,
    });

    // Worst case of a crash: none of its progress committed. Once the dead member's session has timed
    // out (KAFKA_SESSION_TIMEOUT_MS), rewind the group, so the restarted processor redelivers every tick.
    const group = system.env.KAFKA_GROUP_ID;
    await waitUntil('the dead member to leave the group', async () => (await topics.groupMembers(group, topic)).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 1000,
    });
    t.diagnostic(`the dead member left the group ${Date.now() - killedAt} ms after the kill`);
    await topics.rewindGroup(group, topic);
    const restartedAt = Date.now();
    system.apps.processor = await startApp('processor', system.env);
    await waitUntil('the restarted processor to resume storing', () => watcher.publishedCount > publishedAtKill + 100, {
      timeoutMs: 30_000,
      state: () => ({ publishedAtKill, now: watcher.publishedCount }),
    });
    t.diagnostic(`restarted processor resumed after ${Date.now() - restartedAt} ms`);

    const generatorExit = await system.apps.generator!.stop('SIGTERM');
    assert.equal(generatorExit.code, 0);
    const report = generatorReport(system.apps.generator!.output);
    const inKafka = await topics.read(topic);
    assert.equal(report.failed, 0, 'Kafka was up throughout: no tick failed');
    assert.equal(inKafka.count, report.published, 'the topic holds every tick the generator published, once');
    assert.deepEqual([...inKafka.seqs.keys()].sort(), [...SYMBOLS].sort());
    assertConsecutive(inKafka.seqs, 'ticks in Kafka');

    const lastProduced = highest(inKafka.seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq produced', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 30_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    // Every tick was redelivered after the rewind; the stored ones were stale by seq, so each tick was
    // published exactly once and none was skipped.
    assertSameSeqs(watcher.published, inKafka.seqs, 'quotes the processor published vs ticks in Kafka');

    await waitUntil('the client to receive the last seq of every symbol', () => {
      const seen = highest(seqsSeenBy(client));
      return [...lastProduced].every(([symbol, seq]) => seen.get(symbol) === seq);
    }, { timeoutMs: 10_000, state: () => highest(seqsSeenBy(client)) });
    stalls.disable();
    const seen = seqsSeenBy(client);
    // Why a client would miss seqs, printed with the test's result.
    const gateway = await metrics(system.apps.gateway!.port, ['gateway_updates_conflated_total', 'gateway_slow_clients_closed_total']);
    t.diagnostic(`gateway ${JSON.stringify(gateway)}; longest event-loop stall of the test process ${Math.round(stalls.max / 1e6)} ms`);
    assertStrictlyIncreasing(seen, 'client that stayed connected');
    assertConsecutive(seen, 'client that stayed connected');
    t.diagnostic(`${report.published} ticks, ${watcher.publishedCount} published quotes, client saw ${client.updates().length} updates`);
  });
});
