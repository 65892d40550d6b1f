// The feed reader thread's hand-over, timed: 300 rounds of 72 messages (a round's quotes and bars at
// the default rate) published to one channel, from the publish to the last message's arrival in the
// listener, read on the gateway's thread (ServerFeedSubscriber) and on a thread of its own
// (WorkerFeedSubscriber), twice each, alternated. Needs `npm run build` and Redis at 127.0.0.1:6379.
// Usage: node bench/feed-thread-hop.mjs
import { Redis } from 'ioredis';
import { WorkerFeedSubscriber } from '../dist/apps/gateway/src/feed/worker-feed-subscriber.js';
import { ServerFeedSubscriber } from '../dist/apps/gateway/src/feed/server-feed-subscriber.js';
import { createRedisClient } from '../dist/libs/redis/src/index.js';
const config = { url: 'redis://127.0.0.1:6379', clusterNodes: null, keyPrefix: 'hop:', quoteTtlMs: 1000 };
const pub = new Redis(config.url);
async function measure(name, subscriber) {
  const delays = [];
  let pending = 0;
  subscriber.listen({ message: (_c, p) => { const [t, i] = p.split(' '); if (Number(i) === 71) delays.push(performance.timeOrigin + performance.now() - Number(t)); }, lost() {}, resubscribe() {} });
  while (subscriber.status !== 'ready') await new Promise((r) => setTimeout(r, 20));
  await subscriber.subscribe('hop:ch');
  for (let round = 0; round < 300; round++) {
    const p = pub.pipeline();
    const t = performance.timeOrigin + performance.now();
    for (let i = 0; i < 72; i++) p.publish('hop:ch', `${t} ${i} ${'x'.repeat(250)}`);
    await p.exec();
    await new Promise((r) => setTimeout(r, 20));
  }
  delays.sort((a, b) => a - b);
  const q = (x) => delays[Math.floor(x * (delays.length - 1))].toFixed(3);
  console.log(name.padEnd(8), 'n', delays.length, 'p50', q(0.5), 'p90', q(0.9), 'p99', q(0.99), 'ms (publish of 72 -> last received)');
  await subscriber.close();
}
for (let rep = 0; rep < 2; rep++) {
  await measure('inline', new ServerFeedSubscriber(createRedisClient(config, 'feed', 'subscriber')));
  await measure('thread', new WorkerFeedSubscriber(config, { outbox: { maxWaiting: 50000 }, restartDelayMs: 1000, closeTimeoutMs: 2000 }));
}
pub.disconnect();
