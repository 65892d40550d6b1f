import { Kafka, logLevel, Partitioners, type Consumer, type KafkaMessage } from 'kafkajs';
import { KAFKA_BROKERS } from './system.js';

/** A plain kafkajs client for tests to play the part of a stranger writing to or reading from a topic. */
export function testKafka(): Kafka {
  return new Kafka({ clientId: 'e2e-test', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
}

export async function produce(topic: string, messages: Array<{ key?: string; value: string }>): Promise<void> {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic from the beginning until `count` records arrived or the timeout passed. */
export async function consume(topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const consumer: Consumer = testKafka().consumer({ groupId: `e2e-reader-${Date.now()}-${Math.random()}` });
  const records: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          records.push(message);
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
