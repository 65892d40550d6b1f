import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { generatorReport } from '../support/generator-report.js';
import { forgetState, localInfra, reservePorts, type KafkaClusterOptions } from '../support/local-infra.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertSameSeqs, assertStrictlyIncreasing, highest } from '../support/seq-order.js';
import { REDIS_URL, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];
/** "A few seconds": longer than a health probe's timeout, shorter than the producer's retry budget. */
const OUTAGE_MS = 5000;

const healthStatus = (app: AppProcess) => app.health().then((h) => h.status, () => 0);
/** Both apps answer `status` at the same moment (probed in parallel: a Kafka probe may take its 3 s timeout). */
const bothAnswer = async (status: number, apps: AppProcess[]) => (await Promise.all(apps.map(healthStatus))).every((s) => s === status);

describe('the only Kafka broker stopped for a few seconds and started again', () => {
  const infra = localInfra();
  let system: System;
  let watcher: QuoteWatcher;
  let topics: TopicReader;
  let kafka: KafkaClusterOptions | undefined;

  before(async () => {
    // One node: the broker port and the controller port above it.
    kafka = { kafkaPort: await reservePorts(2, 'FAULTS_KAFKA_PORT') };
    const { bootstrapServers } = await (await infra).startKafka(kafka);
    topics = new TopicReader(bootstrapServers);
    system = await System.start({ KAFKA_BROKERS: bootstrapServers, TICK_INTERVAL_MS: '20', SYMBOLS: SYMBOLS.join(',') }, ['processor']);
    watcher = await QuoteWatcher.start(REDIS_URL, system.env.REDIS_KEY_PREFIX);
    system.apps.generator = await startApp('generator', system.env);
  }, { timeout: 120_000 });

  after(async () => {
    watcher?.stop();
    await system?.stop();
    if (kafka) {
      await (await infra).stopKafka(kafka);
      await forgetState(kafka);
    }
  }, { timeout: 60_000 });

  it('generator and processor recover by themselves; every tick is delivered once or counted as failed in the log', { timeout: 180_000 }, async (t) => {
    const { generator, processor } = system.apps as Required<System['apps']>;
    let restarted = false;
    void Promise.race([generator.exited, processor.exited]).then(() => (restarted = true));
    await waitUntil('the processor to store ticks', () => watcher.publishedCount >= 100, { timeoutMs: 20_000 });

    await (await infra).stopKafka(kafka!);
    const stoppedAt = Date.now();
    await waitUntil('generator and processor /health to answer 503', () => bothAnswer(503, [generator, processor]), {
      timeoutMs: 15_000,
      intervalMs: 500,
    });
    const downAfter = Date.now() - stoppedAt;
    await sleep(Math.max(0, OUTAGE_MS - downAfter));

    await (await infra).startKafka(kafka!);
    const backAt = Date.now();
    t.diagnostic(`broker down for ${backAt - stoppedAt} ms; /health said 503 after ${downAfter} ms`);
    await waitUntil('generator and processor /health to answer 200 again', () => bothAnswer(200, [generator, processor]), {
      timeoutMs: 30_000,
      intervalMs: 500,
      state: async () => ({ generator: await generator.health().catch(String), processor: await processor.health().catch(String) }),
    });
    const publishedAtBack = watcher.publishedCount;
    await waitUntil('the processor to store new ticks after the broker is back', () => watcher.publishedCount >= publishedAtBack + 100, {
      timeoutMs: 45_000,
      state: () => ({ publishedAtBack, now: watcher.publishedCount }),
    });
    t.diagnostic(`pipeline flowing again ${Date.now() - backAt} ms after the broker came back`);
    assert.equal(restarted, false, 'neither app exited: they recovered in place');

    const generatorExit = await generator.stop('SIGTERM');
    assert.equal(generatorExit.code, 0, generator.output.slice(-2000));
    const report = generatorReport(generator.output);
    t.diagnostic(`generator: ${JSON.stringify(report)}`);
    assert.equal(report.failedInLog, report.failed, 'every failed tick was logged with "failed to publish N ticks"');

    const inKafka = await topics.read(system.env.KAFKA_TICKS_TOPIC);
    assertStrictlyIncreasing(inKafka.seqs, 'ticks in Kafka (idempotent producer: no tick written twice)');
    assert.ok(inKafka.count >= report.published, `every acknowledged tick is in Kafka: ${inKafka.count} in the topic, ${report.published} published`);
    assert.ok(
      inKafka.count <= report.published + report.failed,
      `a tick in Kafka was either acknowledged or counted failed: ${inKafka.count} > ${report.published} + ${report.failed}`,
    );
    // Seqs are consecutive per symbol as generated; a hole is a tick that never made it, and must be counted failed.
    const holes = [...inKafka.seqs.values()].reduce((sum, seqs) => sum + (seqs.at(-1)! - seqs[0] + 1 - seqs.length), 0);
    assert.ok(holes <= report.failed, `${holes} ticks missing from Kafka but only ${report.failed} counted failed`);

    const lastProduced = highest(inKafka.seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq in Kafka', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 30_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    assertSameSeqs(watcher.published, inKafka.seqs, 'quotes the processor published vs ticks in Kafka');
  });

  it('a generator SIGTERMed while Kafka is down exits 0 within the deadline, having logged the ticks it counted as failed', { timeout: 120_000 }, async (t) => {
    const generator = await startApp('generator', system.env);
    system.apps.generator = generator;
    const publishedBefore = watcher.publishedCount;
    await waitUntil('the new generator\'s ticks to be stored', () => watcher.publishedCount >= publishedBefore + 100, { timeoutMs: 30_000 });

    await (await infra).stopKafka(kafka!);
    // The send in flight is now being retried; the producer would keep at it for about 25 s.
    await waitUntil('generator /health to answer 503', async () => (await healthStatus(generator)) === 503, { timeoutMs: 15_000, intervalMs: 500 });
    const exit = await generator.stop('SIGTERM');
    t.diagnostic(`stopped in ${exit.ms} ms with Kafka down`);
    assert.equal(exit.code, 0, generator.output.slice(-3000));
    assert.ok(exit.ms < 10_000, `took ${exit.ms} ms, longer than the 10 s a supervisor waits before SIGKILL`);

    const givenUp = /failed to publish (\d+) ticks: not acknowledged within the \d+ ms shutdown deadline/.exec(generator.output);
    assert.ok(givenUp, `the generator says how many ticks it gave up on:\n${generator.output.slice(-3000)}`);
    const report = generatorReport(generator.output);
    t.diagnostic(`generator: ${givenUp[0]}; ${JSON.stringify(report)}`);
    assert.ok(Number(givenUp[1]) > 0);
    assert.equal(report.failedInLog, report.failed, 'every tick counted failed was logged with "failed to publish N ticks"');
  });
});
