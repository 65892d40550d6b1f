import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { quoteChannel, type ServerMessage } from '#app/contracts';
import type { AppProcess } from '../support/app-process.js';
import { forgetState, localInfra, reservePorts } from '../support/local-infra.js';
import { ProcessorDouble } from '../support/processor-double.js';
import { assertConsecutive, assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { isolatedEnv, startApp } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const HEALTHY = 'AAPL';
const SLOW = 'MSFT';
/** More updates than the session holds back today while a subscribe waits (MAX_HELD_UPDATES). */
const DURING_WAIT = 1200;

const isFeedUnavailable = (m: ServerMessage) => m.type === 'error' && m.payload.code === 'FEED_UNAVAILABLE' && (m.payload.symbols ?? []).includes(SLOW);

/**
 * A subscribe whose channel cannot go live (a shard failing over; here Redis refuses the gateway's
 * SUBSCRIBE to that one channel, by ACL, until the test allows it) waits up to the channel wait, then
 * answers FEED_UNAVAILABLE. The client's other symbols, live all along, must keep flowing meanwhile.
 * Runs on a Redis of its own, whose users the test may change.
 */
describe("a subscribe waiting for its channel and the client's other symbols", () => {
  const infra = localInfra();
  let redis: { redisPort: number } | undefined;
  let admin: Redis;
  let gateway: AppProcess;
  let processor: ProcessorDouble;
  let prefix: string;
  const clients: TestClient[] = [];

  before(async () => {
    redis = { redisPort: await reservePorts(1, 'DELIVERY_REDIS_PORT') };
    await (await infra).startRedis(redis);
    const env = isolatedEnv({ REDIS_URL: `redis://gateway:secret@127.0.0.1:${redis.redisPort}`, SYMBOLS: [HEALTHY, SLOW].join(',') });
    prefix = env.REDIS_KEY_PREFIX;
    admin = new Redis(redis.redisPort, '127.0.0.1');
    await admin.call('ACL', 'SETUSER', 'gateway', 'on', '>secret', '~*', '+@all', 'resetchannels', `&${quoteChannel(prefix, HEALTHY)}`);
    processor = new ProcessorDouble(admin, prefix);
    await processor.store(ProcessorDouble.quote(HEALTHY, 1000));
    await processor.store(ProcessorDouble.quote(SLOW, 5000));
    gateway = await startApp('gateway', env);
  }, { timeout: 90_000 });

  after(async () => {
    for (const client of clients) client.close();
    await gateway?.stop();
    admin?.disconnect();
    if (redis) {
      await (await infra).stopRedis(redis);
      await forgetState(redis);
    }
  }, { timeout: 60_000 });

  it('keeps delivering every update of the live symbol, none skipped, before the waiting one is answered', { timeout: 60_000 }, async () => {
    const client = await TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws`);
    clients.push(client);
    client.send({ action: 'subscribe', payload: { symbols: [HEALTHY] } });
    await client.expect('subscribed');
    await client.expect('snapshot');
    await processor.publish(ProcessorDouble.quote(HEALTHY, 1001));
    await client.next((m) => m.type === 'update' && m.payload.seq === 1001);

    client.send({ action: 'subscribe', payload: { symbols: [SLOW] } });
    await client.next((m) => m.type === 'subscribed');
    const last = 1001 + DURING_WAIT;
    await processor.publishRange(HEALTHY, 1002, last);
    const hasLast = () => seqsSeenBy(client).get(HEALTHY)?.includes(last);
    await waitUntil(`${HEALTHY}'s last update or ${SLOW}'s FEED_UNAVAILABLE`, () => hasLast() || client.received.some(isFeedUnavailable), { timeoutMs: 15_000 });
    await admin.call('ACL', 'SETUSER', 'gateway', `&${quoteChannel(prefix, SLOW)}`);
    await waitUntil(`${SLOW}'s snapshot and ${HEALTHY}'s last update`, () => hasLast() && client.received.some((m) => m.type === 'snapshot' && m.payload.quotes[0]?.symbol === SLOW), {
      timeoutMs: 15_000,
      state: () => client.received.slice(-3),
    });

    const seen = seqsSeenBy(client);
    assertStrictlyIncreasing(seen, 'the client');
    assertConsecutive(new Map([[HEALTHY, seen.get(HEALTHY)!]]), `the client, ${HEALTHY} while ${SLOW} waited for its channel`);
    const lastAt = client.received.findIndex((m) => m.type === 'update' && m.payload.seq === last);
    const unavailableAt = client.received.findIndex(isFeedUnavailable);
    assert.ok(unavailableAt < 0 || lastAt < unavailableAt, `${HEALTHY}'s updates waited for ${SLOW}'s channel: its last came after FEED_UNAVAILABLE`);
  });
});
