import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { ServerMessage } from '#app/contracts';
import type { AppProcess } from '../support/app-process.js';
import { ProcessorDouble } from '../support/processor-double.js';
import { assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { isolatedEnv, REDIS_URL, startApp } from '../support/system.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'GOOG', 'MSFT'];

/** A frame as the contract names it: type, error code, symbols, and the snapshot's quotes by symbol and seq. */
function described(m: ServerMessage): string {
  switch (m.type) {
    case 'error':
      return `error ${m.payload.code} [${m.payload.symbols ?? ''}]`;
    case 'snapshot':
      return `snapshot [${m.payload.quotes.map((q) => `${q.symbol}@${q.seq}`).sort()}]`;
    case 'subscribed':
      return `subscribed [${m.payload.symbols}]`;
    case 'update':
      return `update ${m.payload.symbol}@${m.payload.seq}`;
    default:
      return m.type;
  }
}

async function firstFrames(client: TestClient, count: number): Promise<string[]> {
  const frames: string[] = [];
  for (let i = 0; i < count; i++) frames.push(described(await client.next(() => true, 5000)));
  return frames;
}

/**
 * `ws://host/ws?symbols=AAPL,GOOG` subscribes during the upgrade: `subscribed` and the snapshot are
 * the first frames, before any update; invalid and unknown symbols there are answered as a subscribe
 * message would answer them. The message-based subscribe stays.
 */
describe('snapshot at connect (?symbols=)', () => {
  let gateway: AppProcess;
  let redis: Redis;
  let processor: ProcessorDouble;
  let prefix: string;
  const clients: TestClient[] = [];

  const connect = async (query = '') => {
    const client = await TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws${query}`);
    clients.push(client);
    return client;
  };

  before(async () => {
    const env = isolatedEnv({ SYMBOLS: SYMBOLS.join(',') });
    prefix = env.REDIS_KEY_PREFIX;
    redis = new Redis(REDIS_URL);
    processor = new ProcessorDouble(redis, prefix);
    await processor.store(ProcessorDouble.quote('AAPL', 100));
    await processor.store(ProcessorDouble.quote('GOOG', 200));
    gateway = await startApp('gateway', env);
  }, { timeout: 90_000 });

  after(async () => {
    for (const client of clients) client.close();
    await gateway?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis?.disconnect();
  }, { timeout: 30_000 });

  it('sends subscribed, then the snapshot of those symbols, before any update', { timeout: 30_000 }, async () => {
    const client = await connect('?symbols=AAPL,GOOG');
    // Published as the socket opens: the snapshot may hold it or not, but no update comes before the snapshot.
    await processor.publish(ProcessorDouble.quote('AAPL', 101));
    const [subscribed, snapshot] = await firstFrames(client, 2);
    assert.equal(subscribed, 'subscribed [AAPL,GOOG]');
    assert.match(snapshot, /^snapshot \[AAPL@10[01],GOOG@200\]$/);
    await processor.publish(ProcessorDouble.quote('AAPL', 102));
    await client.next((m) => m.type === 'update' && m.payload.seq === 102);
    assertStrictlyIncreasing(seqsSeenBy(client), 'the client');
  });

  it('answers invalid and unknown symbols exactly as a subscribe message does', { timeout: 30_000 }, async () => {
    const requested = ['BAD$', 'NOPE', 'goog'];
    const byMessage = await connect();
    byMessage.send({ action: 'subscribe', payload: { symbols: requested } });
    const expected = await firstFrames(byMessage, 4);
    assert.deepEqual(expected, ['error INVALID_SYMBOL [BAD$]', 'error UNKNOWN_SYMBOL [NOPE]', 'subscribed [GOOG]', 'snapshot [GOOG@200]'], 'the subscribe message');

    const atConnect = await connect(`?symbols=${requested.map(encodeURIComponent).join(',')}`);
    assert.deepEqual(await firstFrames(atConnect, 4), expected, 'the same symbols at connect');
  });

  it('keeps the message-based subscribe on a socket that subscribed at connect', { timeout: 30_000 }, async () => {
    const client = await connect('?symbols=AAPL');
    const [subscribed] = await firstFrames(client, 2);
    assert.equal(subscribed, 'subscribed [AAPL]');
    client.send({ action: 'subscribe', payload: { symbols: ['GOOG'] } });
    await client.next((m) => m.type === 'snapshot' && m.payload.quotes.some((q) => q.symbol === 'GOOG'));
  });
});
