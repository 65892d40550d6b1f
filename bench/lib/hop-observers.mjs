// Per-hop latency of the pipeline, seen from outside it: a kafkajs consumer of its own on the ticks
// topic (generator -> Kafka -> a consumer) and a Redis subscriber on the quote channels (... -> processor
// -> Redis pub/sub). With the clients' figures (... -> gateway -> socket), each hop's cost is the
// difference of the percentiles: an estimate, as percentiles of different samples do not subtract exactly.
import { Redis } from 'ioredis';
import { benchKafka, REDIS_URL } from './bench-apps.mjs';
import { LatencyHistogram } from './latency-histogram.mjs';

const nowMs = () => performance.timeOrigin + performance.now();
const TIMESTAMP = /"timestamp":(\d+)/;

export class HopObservers {
  constructor() {
    this.kafka = new LatencyHistogram();
    this.redis = new LatencyHistogram();
  }

  static async start({ topic, prefix }) {
    const observers = new HopObservers();
    const consumer = benchKafka('bench-hop-observer').consumer({ groupId: `bench-hops-${Date.now()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const now = nowMs();
        for (const m of batch.messages) {
          const ts = Number(TIMESTAMP.exec(m.value.toString())?.[1]);
          if (ts) observers.kafka.record(now - ts);
        }
      },
    });
    await joined;
    const subscriber = new Redis(REDIS_URL, { lazyConnect: true });
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    await subscriber.psubscribe(`${prefix}quotes:{*}`);
    subscriber.on('pmessage', (_p, _c, json) => {
      const ts = Number(TIMESTAMP.exec(json)?.[1]);
      if (ts) observers.redis.record(nowMs() - ts);
    });
    observers.stopAll = async () => {
      subscriber.disconnect();
      await consumer.disconnect().catch(() => undefined);
    };
    return observers;
  }

  reset() {
    this.kafka = new LatencyHistogram();
    this.redis = new LatencyHistogram();
  }

  report() {
    return { toKafkaConsumer: this.kafka.summary(), toRedisPubSub: this.redis.summary() };
  }

  async stop() {
    await this.stopAll?.();
  }
}

/**
 * The raw baseline of the Kafka hop: a bare kafkajs producer (idempotent, acks=all, keyed, the
 * generator's settings) sending `perRound` records every `intervalMs` to a topic of `partitions`,
 * and a bare kafkajs consumer measuring each record's age on arrival.
 */
export async function bareKafkaLatency({ topic, partitions, symbols, intervalMs, seconds }) {
  const kafka = benchKafka('bench-bare-latency');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  const histogram = new LatencyHistogram();
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 100 });
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  try {
    await Promise.all([consumer.connect(), producer.connect()]);
    await consumer.subscribe({ topic, fromBeginning: false });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    let measuring = false;
    await consumer.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch }) => {
        const now = nowMs();
        if (!measuring) return;
        for (const m of batch.messages) histogram.record(now - Number(TIMESTAMP.exec(m.value.toString())[1]));
      },
    });
    await joined;
    const send = async () => {
      const timestamp = Date.now();
      const messages = symbols.map((symbol) => ({ key: symbol, value: JSON.stringify({ symbol, price: 100.12, timestamp }) }));
      await producer.send({ topic, messages, acks: -1 });
    };
    const until = Date.now() + 1000 + seconds * 1000;
    let round = 0;
    const started = Date.now();
    while (Date.now() < until) {
      measuring = Date.now() - started > 1000; // a second of warm-up
      await send();
      const next = started + ++round * intervalMs;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    await new Promise((r) => setTimeout(r, 300));
    return histogram.summary();
  } finally {
    await producer.disconnect().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
