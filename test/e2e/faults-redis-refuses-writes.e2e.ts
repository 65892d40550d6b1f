import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { AppProcess } from '../support/app-process.js';
import { forgetState, localInfra, reservePorts } from '../support/local-infra.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { assertSameSeqs, highest } from '../support/seq-order.js';
import { KAFKA_BROKERS, startApp, System } from '../support/system.js';
import { TopicReader } from '../support/topic-reader.js';
import { waitUntil } from '../support/wait-until.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];

interface HealthBody {
  error?: { consumer?: { message?: string } };
}

/** Ways a Redis that still answers PING refuses every write, and how each is undone. */
const FAULTS: Array<{ name: string; refusal: RegExp; apply(redis: Redis, deadMasterPort: number): Promise<void>; clear(redis: Redis): Promise<void> }> = [
  {
    name: 'OOM (maxmemory 1, noeviction)',
    refusal: /QUOTE_WRITE_FAILED: .*OOM command not allowed/,
    apply: async (redis: Redis) => {
      await redis.config('SET', 'maxmemory-policy', 'noeviction');
      await redis.config('SET', 'maxmemory', '1');
    },
    clear: async (redis: Redis) => void (await redis.config('SET', 'maxmemory', '0')),
  },
  {
    name: 'READONLY (a replica of a master that does not exist)',
    refusal: /QUOTE_WRITE_FAILED: .*READONLY/,
    // A replica keeps its data until it has synced with its master, which never answers here.
    apply: async (redis: Redis, port: number) => void (await redis.replicaof('127.0.0.1', port)),
    clear: async (redis: Redis) => void (await redis.replicaof('NO', 'ONE')),
  },
];

describe('Redis refusing writes under a running processor (OOM, then read-only)', () => {
  const infra = localInfra();
  const topics = new TopicReader(KAFKA_BROKERS);
  let system: System;
  let watcher: QuoteWatcher;
  let admin: Redis;
  let redis: { redisPort: number } | undefined;
  let deadMasterPort: number;

  before(async () => {
    // The Redis port and, above it, one nobody listens on: the master of the read-only phase.
    const base = await reservePorts(2, 'FAULTS_REDIS_PORT');
    redis = { redisPort: base };
    deadMasterPort = base + 1;
    const { url } = await (await infra).startRedis(redis);
    admin = new Redis(url, { maxRetriesPerRequest: 1 });
    system = await System.start({ REDIS_URL: url, TICK_INTERVAL_MS: '20', SYMBOLS: SYMBOLS.join(',') }, ['processor']);
    watcher = await QuoteWatcher.start(url, system.env.REDIS_KEY_PREFIX);
    system.apps.generator = await startApp('generator', system.env);
  }, { timeout: 120_000 });

  after(async () => {
    watcher?.stop();
    admin?.disconnect();
    await system?.stop();
    if (redis) {
      await (await infra).stopRedis(redis);
      await forgetState(redis);
    }
  }, { timeout: 60_000 });

  it('processor /health turns 503 naming the refused write, commits nothing it did not store, and recovers by itself with every tick published once', { timeout: 240_000 }, async (t) => {
    const processor = system.apps.processor as AppProcess;
    const { KAFKA_GROUP_ID: group, KAFKA_TICKS_TOPIC: topic } = system.env;
    await waitUntil('the processor to store ticks', () => watcher.publishedCount >= 100, { timeoutMs: 20_000 });

    for (const fault of FAULTS) {
      await fault.apply(admin, deadMasterPort);
      const refusedAt = Date.now();
      const down = await waitUntil(
        `processor /health to answer 503 under ${fault.name}`,
        async () => {
          const health = await processor.health();
          return health.status === 503 && (health.body as HealthBody);
        },
        { timeoutMs: 30_000, intervalMs: 250, state: () => processor.health().catch(String) },
      );
      const toDown = Date.now() - refusedAt;
      assert.match(down.error?.consumer?.message ?? '', fault.refusal, JSON.stringify(down));
      t.diagnostic(`503 body: ${JSON.stringify(down.error)}`);

      // Nothing is stored while writes are refused, and no committed offset may have passed a tick
      // that was not: every tick below the committed offsets is at or below its symbol's stored seq.
      const committed = await topics.committedOffsets(group, topic);
      const belowCommitted = await topics.read(topic, 30_000, committed);
      const stored = await watcher.storedSeqs(SYMBOLS);
      for (const [symbol, seqs] of belowCommitted.seqs) {
        const last = seqs[seqs.length - 1];
        assert.ok((stored.get(symbol) ?? -1) >= last, `${symbol}: committed past seq ${last}, but only ${stored.get(symbol)} is stored`);
      }

      await fault.clear(admin);
      const clearedAt = Date.now();
      await waitUntil(`processor /health to answer 200 once ${fault.name} is undone`, async () => (await processor.health()).status === 200, {
        timeoutMs: 30_000,
        intervalMs: 250,
        state: () => processor.health().catch(String),
      });
      const toUp = Date.now() - clearedAt;
      const publishedAtUp = watcher.publishedCount;
      await waitUntil('new quotes to be published', () => watcher.publishedCount >= publishedAtUp + 100, { timeoutMs: 30_000 });
      t.diagnostic(`${fault.name}: 503 ${toDown} ms after writes were refused (${belowCommitted.count} ticks committed by then); 200 ${toUp} ms after they were accepted again`);
    }

    const generator = system.apps.generator as AppProcess;
    assert.equal((await generator.stop('SIGTERM')).code, 0, generator.output.slice(-2000));
    const inKafka = await topics.read(topic);
    const lastProduced = highest(inKafka.seqs);
    await waitUntil('the stored quote of every symbol to reach the last seq in Kafka', () => watcher.storedEqual(lastProduced), {
      timeoutMs: 30_000,
      state: async () => ({ expected: lastProduced, stored: await watcher.storedSeqs(SYMBOLS) }),
    });
    // None lost or skipped across both faults, and none published twice by a refused write.
    assertSameSeqs(watcher.published, inKafka.seqs, 'quotes the processor published vs ticks in Kafka');
  });
});
