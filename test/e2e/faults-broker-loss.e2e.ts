import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatorReport } from '../support/generator-report.js';
import { forgetState, localInfra, reservePorts, type KafkaClusterOptions } from '../support/local-infra.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertConsecutive, assertSameSeqs, assertStrictlyIncreasing, highest, seqsSeenBy } from '../support/seq-order.js';
import type { System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { startWatchedPipeline, stopWatchedPipeline } from '../support/watched-pipeline.js';
import type { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];

describe('one broker of a three-broker cluster lost under load (RF 3, min.insync.replicas 2, acks=all)', () => {
  const infra = localInfra();
  let system: System;
  let watcher: QuoteWatcher;
  let client: TestClient;
  let topics: TopicReader;
  let cluster: KafkaClusterOptions | undefined;

  before(async () => {
    // Node i listens on kafkaPort + 2(i-1), its controller one above: six ports.
    cluster = { kafkaPort: await reservePorts(6, 'FAULTS_KAFKA_CLUSTER_PORT'), kafkaBrokers: 3 };
    const { bootstrapServers } = await (await infra).startKafka(cluster);
    topics = new TopicReader(bootstrapServers);
    ({ system, watcher, client } = await startWatchedPipeline({ KAFKA_BROKERS: bootstrapServers, KAFKA_REPLICATION_FACTOR: '3', TICK_INTERVAL_MS: '20' }, SYMBOLS));
  }, { timeout: 120_000 });

  after(async () => {
    await stopWatchedPipeline({ system, watcher, client });
    if (cluster) {
      await (await infra).stopKafka(cluster);
      await forgetState(cluster);
    }
  }, { timeout: 60_000 });

  it('loses no acknowledged tick when the leader of a partition crashes, and the pipeline carries on', { timeout: 180_000 }, async (t) => {
    const topic = system.env.KAFKA_TICKS_TOPIC;
    const layout = await topics.replication(topic);
    assert.ok(layout.partitions.every((p) => p.replicas === 3), `every partition has 3 replicas: ${JSON.stringify(layout)}`);
    assert.equal(layout.minInsyncReplicas, 2);
    await waitUntil('the processor to store ticks', () => watcher.publishedCount >= 100, { timeoutMs: 20_000 });

    // Crash (SIGKILL) the broker leading partition 0: its in-flight writes must fail over, not vanish.
    const victim = layout.partitions.find((p) => p.partition === 0)!.leader;
    await (await infra).stopKafkaBroker(victim, { ...cluster!, signal: 'SIGKILL' });
    const killedAt = Date.now();
    const countsAtKill = new Map([...watcher.published].map(([symbol, seqs]) => [symbol, seqs.length]));
    const storedSinceKill = () => new Map(SYMBOLS.map((s) => [s, (watcher.published.get(s)?.length ?? 0) - (countsAtKill.get(s) ?? 0)]));
    await waitUntil('leadership to leave the dead node and every symbol to be stored again', async () =>
      [...storedSinceKill().values()].every((n) => n >= 50) && (await leadersAvoid(victim)),
      { timeoutMs: 60_000, intervalMs: 500, state: storedSinceKill },
    );
    t.diagnostic(`node ${victim} killed; pipeline carried on ${Date.now() - killedAt} ms later`);

    const generatorExit = await system.apps.generator!.stop('SIGTERM');
    assert.equal(generatorExit.code, 0, system.apps.generator!.output.slice(-2000));
    const report = generatorReport(system.apps.generator!.output);
    t.diagnostic(`generator: ${JSON.stringify(report)}`);
    const highWatermarks = await topics.highWatermarkSum(topic);
    assert.equal(highWatermarks, report.published, 'the high watermarks add up to exactly the ticks the generator was acknowledged');
    assert.equal(report.failed, 0, 'with two in-sync replicas left, no batch failed');

    const inKafka = await topics.read(topic);
    assertStrictlyIncreasing(inKafka.seqs, 'ticks in Kafka');
    assertConsecutive(inKafka.seqs, 'ticks in Kafka');
    const lastProduced = highest(inKafka.seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq in Kafka', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 30_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    assertSameSeqs(watcher.published, inKafka.seqs, 'quotes the processor published vs ticks in Kafka');
    await waitUntil('the client to receive the last seq of every symbol', () => {
      const seen = highest(seqsSeenBy(client));
      return [...lastProduced].every(([symbol, seq]) => seen.get(symbol) === seq);
    }, { timeoutMs: 10_000, state: () => highest(seqsSeenBy(client)) });
    assertStrictlyIncreasing(seqsSeenBy(client), 'client connected throughout');
    assertConsecutive(seqsSeenBy(client), 'client connected throughout');
  });

  /** True once no partition of the ticks topic is led by the dead node any more. */
  async function leadersAvoid(node: number): Promise<boolean> {
    const { partitions } = await topics.replication(system.env.KAFKA_TICKS_TOPIC);
    return partitions.every((p) => p.leader !== node && p.leader >= 0);
  }
});
