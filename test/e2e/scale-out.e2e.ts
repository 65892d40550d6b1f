import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { generatorReport } from '../support/generator-report.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertConsecutive, assertSameSeqs, highest, seqsSeenBy } from '../support/seq-order.js';
import { KAFKA_BROKERS, REDIS_URL, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';
import { startTwoOfEach, stopTwoOfEach, type Subscription, type TwoOfEach } from '../support/two-of-each.js';
import type { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];
/** Who listens to what: every symbol on both gateways, and some symbols on each. */
const SUBSCRIPTIONS: Subscription[] = [
  { gateway: 0, symbols: SYMBOLS },
  { gateway: 1, symbols: SYMBOLS },
  { gateway: 0, symbols: ['AAPL', 'MSFT'] },
  { gateway: 1, symbols: ['GOOG', 'TSLA'] },
];

describe('two processors in one consumer group and two gateways', () => {
  let setup: TwoOfEach | undefined;
  let system: System;
  let watcher: QuoteWatcher;
  let processors: AppProcess[];
  let clients: TestClient[];
  const topics = new TopicReader(KAFKA_BROKERS);

  before(async () => {
    // Six partitions: the five symbols land on partitions 0, 3 and 5, so either processor gets some.
    setup = await startTwoOfEach({ KAFKA_TOPIC_PARTITIONS: '6', TICK_INTERVAL_MS: '20', SYMBOLS: SYMBOLS.join(',') }, SUBSCRIPTIONS);
    ({ system, processors, clients } = setup);
    watcher = await QuoteWatcher.start(REDIS_URL, system.env.REDIS_KEY_PREFIX);
    system.apps.generator = await startApp('generator', system.env);
  }, { timeout: 120_000 });

  after(async () => {
    watcher?.stop();
    await stopTwoOfEach(setup);
  }, { timeout: 60_000 });

  it('shares the partitions between the processors, survives one crashing, and every client on either gateway gets every update of its symbols once, in order', { timeout: 180_000 }, async (t) => {
    const { KAFKA_TICKS_TOPIC: topic, KAFKA_GROUP_ID: group } = system.env;
    const members = await waitUntil('both processors to hold partitions of the ticks topic', async () => {
      const list = await topics.groupMembers(group, topic);
      return list.length === 2 && list.every((m) => m.partitions.length === 3) && list;
    }, { timeoutMs: 30_000, state: () => topics.groupMembers(group, topic) });
    await waitUntil('ticks of every symbol to be stored', () => SYMBOLS.every((s) => (watcher.published.get(s)?.length ?? 0) >= 20), { timeoutMs: 20_000 });
    const { partitionOf } = await topics.read(topic);
    for (const member of members) {
      const carried = SYMBOLS.filter((s) => member.partitions.includes(partitionOf.get(s)!));
      assert.ok(carried.length > 0, `each processor stores some symbols: partitions ${member.partitions} carry none of ${JSON.stringify([...partitionOf])}`);
    }

    // A crash: the survivor gets the dead member's partitions once its session times out (KAFKA_SESSION_TIMEOUT_MS),
    // and re-reads what the dead one had stored but not committed.
    const killed = await processors[1].stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const killedAt = Date.now();
    await waitUntil('the surviving processor to hold all six partitions', async () => {
      const list = await topics.groupMembers(group, topic);
      return list.length === 1 && list[0].partitions.length === 6;
    }, { timeoutMs: 60_000, intervalMs: 1000, state: () => topics.groupMembers(group, topic) });
    const countsAtTakeover = new Map(SYMBOLS.map((s) => [s, watcher.published.get(s)?.length ?? 0]));
    await waitUntil('every symbol to be stored again', () => SYMBOLS.every((s) => (watcher.published.get(s)?.length ?? 0) >= countsAtTakeover.get(s)! + 20), {
      timeoutMs: 20_000,
    });
    t.diagnostic(`the survivor took over ${Date.now() - killedAt} ms after the crash`);

    const generatorExit = await system.apps.generator!.stop('SIGTERM');
    assert.equal(generatorExit.code, 0);
    const report = generatorReport(system.apps.generator!.output);
    const inKafka = await topics.read(topic);
    assert.equal(report.failed, 0);
    assert.equal(inKafka.count, report.published);
    assertConsecutive(inKafka.seqs, 'ticks in Kafka');
    const lastProduced = highest(inKafka.seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq in Kafka', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 30_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    // Redelivered ticks are stale by seq, so the crash published nothing twice.
    assertSameSeqs(watcher.published, inKafka.seqs, 'quotes the two processors published vs ticks in Kafka');

    for (const [i, { gateway, symbols }] of SUBSCRIPTIONS.entries()) {
      const who = `client ${i} on gateway ${gateway} (${symbols.join(',')})`;
      const client = clients[i];
      await waitUntil(`${who} to receive the last seq of its symbols`, () => {
        const seen = highest(seqsSeenBy(client));
        return symbols.every((s) => seen.get(s) === lastProduced.get(s));
      }, { timeoutMs: 10_000, state: () => highest(seqsSeenBy(client)) });
      // Subscribed before the first tick: every tick of its symbols, each once, in order; nothing else.
      assertSameSeqs(seqsSeenBy(client), new Map(symbols.map((s) => [s, inKafka.seqs.get(s)!])), who);
    }
    const total = clients.reduce((n, c) => n + c.updates().length, 0);
    t.diagnostic(`${report.published} ticks; ${total} updates delivered to ${clients.length} clients on 2 gateways`);
  });
});
