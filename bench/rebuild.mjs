// Rebuild: how long the processor takes to rebuild Redis from Kafka after Redis lost everything, and what
// that costs the live path meanwhile. `npm run bench -- --only=rebuild` (not in the default set: it writes
// an hour of ticks, about 900,000, to the shared broker).
//
// An hour (--quick: 5 minutes) of ticks at the default rate (24 symbols x 10/s), timestamps spread over
// the last hour, is produced straight to a fresh topic; the live group's offsets are committed at its end
// (the processor had stored all of it when Redis was lost); the Redis prefix is empty (Redis lost it).
// Then the processor starts, finds the state lost and replays the hour through the store step, while a
// producer keeps adding live ticks at the default rate. Figures:
//   rebuildSec      from the processor's start until it is ready, its state whole (includes ~2 s of start)
//   ticksPerSec     ticks replayed per second of rebuild
//   liveCatchUpSec  from `whole` until every symbol's stored quote is the last live tick produced: live
//                   ticks wait for the whole rebuild (live writes are refused until it is done), then this
//   redisPing       Redis round trips (what the gateway's reads see) before and during the rebuild, ms
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { benchEnv, benchKafka, quoteKey, REDIS_URL, startBenchApp, stopBenchApp, UNIVERSE } from './lib/bench-apps.mjs';

const RATE_PER_SYMBOL = 10;
const PRODUCE_BATCH = 5000;

export async function run(options, report) {
  const minutes = options.rebuild?.minutes ?? 60;
  const env = benchEnv({ LOG_LEVEL: 'warn' });
  const topic = env.KAFKA_TICKS_TOPIC;
  const kafka = benchKafka('bench-rebuild');
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const redis = new Redis(REDIS_URL);
  let processor;
  let live;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }, { topic: env.KAFKA_DLQ_TOPIC, numPartitions: 1 }], waitForLeaders: true });
    const now = Date.now();
    const from = now - minutes * 60_000;
    const seq = new Map(UNIVERSE.map((s, i) => [s, from * 1000 + i * 10_000_000]));
    const tick = (symbol, timestamp) => {
      const n = seq.get(symbol) + 1;
      seq.set(symbol, n);
      const price = Math.round((100 + 5 * Math.sin(n / 300)) * 100) / 100;
      return { key: symbol, value: JSON.stringify({ symbol, price, bid: price - 0.01, ask: price + 0.01, volume: (n % 1_000_000) * 10, change: 0, changePercent: 0, timestamp, seq: n }) };
    };
    report.log(`rebuild: producing ${minutes} min of ticks (${UNIVERSE.length} symbols x ${RATE_PER_SYMBOL}/s)`);
    const t0 = Date.now();
    let produced = 0;
    let batch = [];
    for (let ts = from; ts < now; ts += 1000 / RATE_PER_SYMBOL) {
      for (const symbol of UNIVERSE) batch.push(tick(symbol, Math.floor(ts)));
      if (batch.length >= PRODUCE_BATCH) {
        await producer.send({ topic, acks: 1, messages: batch });
        produced += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await producer.send({ topic, acks: 1, messages: batch });
    produced += batch.length;
    report.log(`rebuild: ${produced} ticks produced in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId: env.KAFKA_GROUP_ID, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });

    const before = await pingLatency(redis, () => false, 3000);

    // Live ticks at the default rate from now on, as the generator would send them.
    let liveRunning = true;
    live = (async () => {
      while (liveRunning) {
        const round = UNIVERSE.map((symbol) => tick(symbol, Date.now()));
        await producer.send({ topic, acks: 1, messages: round }).catch(() => {});
        await sleep(1000 / RATE_PER_SYMBOL);
      }
    })();

    const started = Date.now();
    let wholeAt;
    const during = pingLatency(redis, () => wholeAt !== undefined, 30 * 60_000);
    // Ready (200) only once the state is whole again: the rebuild, plus the app's start (about 2 s).
    processor = await startBenchApp('processor', env, { readyTimeoutMs: 30 * 60_000 });
    wholeAt = Date.now();
    const ping = await during;
    const wholeState = (await (await fetch(`http://127.0.0.1:${processor.port}/health`)).json()).details?.state ?? {};

    liveRunning = false;
    await live;
    const last = new Map(seq);
    let caughtUpAt;
    for (let i = 0; i < 600 && !caughtUpAt; i++) {
      const stored = await Promise.all(UNIVERSE.map((s) => redis.hget(quoteKey(env.REDIS_KEY_PREFIX, s), 'seq')));
      if (stored.every((v, k) => Number(v) === last.get(UNIVERSE[k]))) caughtUpAt = Date.now();
      else await sleep(100);
    }
    const rebuildSec = (wholeAt - started) / 1000;
    report.emit({
      bench: 'rebuild',
      scenario: `${minutes} min of ticks`,
      ticks: produced,
      rebuildSec: Number(rebuildSec.toFixed(1)),
      ticksPerSec: Math.round(produced / rebuildSec),
      rebuilds: wholeState.rebuilds,
      liveCatchUpSec: caughtUpAt ? Number(((caughtUpAt - wholeAt) / 1000).toFixed(1)) : null,
      redisPingMs: { before, during: ping },
    });
  } finally {
    await stopBenchApp(processor);
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    redis.disconnect();
  }
}

/** Redis PING round trips every 5 ms until `done()` or `maxMs`: p50, p99 and max in ms. */
async function pingLatency(redis, done, maxMs) {
  const samples = [];
  const end = Date.now() + maxMs;
  while (!done() && Date.now() < end) {
    const t = process.hrtime.bigint();
    await redis.ping();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    await sleep(5);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => Number((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(2));
  return { samples: samples.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}
