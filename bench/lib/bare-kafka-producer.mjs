// Baseline child: a bare kafkajs producer (no Nest) writing tick-shaped JSON records, keyed by symbol,
// with the generator's settings (idempotent, acks=-1), one batch in flight, as fast as the broker
// acknowledges. Reports { sent } to the parent on request; exits on 'stop'.
import { Kafka, logLevel, Partitioners } from 'kafkajs';

const { brokers, topic, batchSize, symbols } = JSON.parse(process.argv[2]);
const kafka = new Kafka({ clientId: 'bench-bare-producer', brokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, allowAutoTopicCreation: false });
await producer.connect();

let sent = 0;
let running = true;
let seq = Date.now() * 1000;
process.on('message', (m) => {
  if (m === 'report') process.send({ sent });
  if (m === 'stop') running = false;
});
process.send({ ready: true });

while (running) {
  const timestamp = Date.now();
  const messages = new Array(batchSize);
  for (let i = 0; i < batchSize; i++) {
    const symbol = symbols[i % symbols.length];
    const tick = { symbol, price: 100.12, bid: 100.11, ask: 100.13, volume: 1234567 + i, change: 0.12, changePercent: 0.12, timestamp, seq: ++seq };
    messages[i] = { key: symbol, value: JSON.stringify(tick) };
  }
  await producer.send({ topic, messages, acks: -1 });
  sent += batchSize;
}
await producer.disconnect();
process.send({ sent, done: true });
process.exit(0);
