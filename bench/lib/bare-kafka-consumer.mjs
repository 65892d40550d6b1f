// Baseline child: a bare kafkajs consumer (no Nest, no Redis) that only counts the records of a topic,
// with eachBatch (kafkajs's fastest path) or eachMessage (the path Nest's transport uses).
// Reports { consumed } to the parent on request; exits on 'stop'.
import { Kafka, logLevel } from 'kafkajs';

const { brokers, topic, groupId, mode, concurrency } = JSON.parse(process.argv[2]);
const kafka = new Kafka({ clientId: 'bench-bare-consumer', brokers, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
let consumed = 0;
process.on('message', async (m) => {
  if (m === 'report') process.send({ consumed });
  if (m === 'stop') {
    await consumer.disconnect().catch(() => undefined);
    process.exit(0);
  }
});
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
consumer.on(consumer.events.GROUP_JOIN, () => process.send({ ready: true }));
await consumer.run(
  mode === 'eachMessage'
    ? { partitionsConsumedConcurrently: concurrency, eachMessage: async () => void consumed++ }
    : { partitionsConsumedConcurrently: concurrency, eachBatch: async ({ batch }) => void (consumed += batch.messages.length) },
);
