import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Quote } from '#app/contracts';
import { REDIS_URL, System } from '../support/system.js';
import { TestClient } from '../support/ws-client.js';

/** Asserts that, per symbol, seq only ever grows across the given quotes. */
function assertSeqIncreasing(quotes: Quote[]) {
  const last = new Map<string, number>();
  for (const q of quotes) {
    const before = last.get(q.symbol);
    if (before !== undefined) assert.ok(q.seq > before, `${q.symbol} seq went from ${before} to ${q.seq}`);
    last.set(q.symbol, q.seq);
  }
}

describe('WebSocket contract over the real pipeline (generator -> Kafka -> processor -> Redis -> gateway)', () => {
  let system: System;
  let redis: Redis;
  const clients: TestClient[] = [];
  const connect = async () => {
    const client = await TestClient.connect(system.wsUrl);
    clients.push(client);
    return client;
  };

  before(async () => {
    system = await System.start();
    redis = new Redis(REDIS_URL);
  });

  after(async () => {
    for (const c of clients) c.close();
    redis?.disconnect();
    await system?.stop();
  });

  it('acknowledges a subscription, sends a snapshot, then live updates for the subscribed symbols only', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', payload: { symbols: ['aapl', 'GOOG'] } });
    const ack = await client.expect('subscribed');
    assert.deepEqual(ack.payload.symbols, ['AAPL', 'GOOG']);
    const snapshot = await client.expect('snapshot');
    for (const quote of snapshot.payload.quotes) assert.ok(['AAPL', 'GOOG'].includes(quote.symbol));

    const updates: Quote[] = [...snapshot.payload.quotes];
    const seen = new Set<string>();
    while (seen.size < 2 || updates.length < 30) {
      const update = await client.expect('update');
      assert.ok(['AAPL', 'GOOG'].includes(update.payload.symbol), `unexpected update for ${update.payload.symbol}`);
      seen.add(update.payload.symbol);
      updates.push(update.payload);
    }
    assertSeqIncreasing(updates);
    const q = updates.at(-1)!;
    assert.ok(q.bid > 0 && q.bid <= q.price && q.price <= q.ask, `bid/price/ask out of order: ${JSON.stringify(q)}`);
    assert.equal(typeof q.volume, 'number');
    assert.ok(Math.abs(q.timestamp - Date.now()) < 60_000, 'timestamp is epoch ms of generation');
  });

  it('sends a snapshot equal to the quote stored in Redis to a client that subscribes later', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', payload: { symbols: ['MSFT'] } });
    await client.expect('subscribed');
    const snapshot = await client.expect('snapshot');
    assert.equal(snapshot.payload.quotes.length, 1, 'MSFT has been trading, so it has a stored quote');
    const stored = JSON.parse((await redis.hget(`${system.env.REDIS_KEY_PREFIX}quote:{MSFT}`, 'json'))!) as Quote;
    assert.equal(stored.symbol, 'MSFT');
    assert.ok(stored.seq >= snapshot.payload.quotes[0].seq, 'stored quote is the snapshot or newer');
    const update = await client.expect('update');
    assert.ok(update.payload.seq > snapshot.payload.quotes[0].seq, 'updates after the snapshot are newer than it');
  });

  it('stops updates for a symbol once it is unsubscribed, keeping the others', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', payload: { symbols: ['AMZN', 'TSLA'] } });
    await client.expect('subscribed');
    await client.expect('snapshot');
    await client.next((m) => m.type === 'update' && m.payload.symbol === 'TSLA');
    client.send({ action: 'unsubscribe', payload: { symbols: ['TSLA'] } });
    const ack = await client.next((m) => m.type === 'unsubscribed');
    assert.deepEqual(ack.type === 'unsubscribed' && ack.payload.symbols, ['TSLA']);
    const ackIndex = client.received.indexOf(ack);
    for (let i = 0; i < 20; i++) await client.next((m) => m.type === 'update' && m.payload.symbol === 'AMZN');
    const after = client.received.slice(ackIndex + 1);
    assert.ok(!after.some((m) => m.type === 'update' && m.payload.symbol === 'TSLA'), 'no TSLA update after unsubscribed');
  });

  it('applies the known symbols of a request and reports UNKNOWN_SYMBOL and INVALID_SYMBOL for the rest', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', payload: { symbols: ['AAPL', 'ZZZZ', 'bad symbol!'] } });
    const invalid = await client.expect('error');
    assert.equal(invalid.payload.code, 'INVALID_SYMBOL');
    assert.deepEqual(invalid.payload.symbols, ['BAD SYMBOL!']);
    const unknown = await client.expect('error');
    assert.equal(unknown.payload.code, 'UNKNOWN_SYMBOL');
    assert.deepEqual(unknown.payload.symbols, ['ZZZZ']);
    const ack = await client.expect('subscribed');
    assert.deepEqual(ack.payload.symbols, ['AAPL']);
    await client.expect('snapshot');
    await client.next((m) => m.type === 'update' && m.payload.symbol === 'AAPL');
  });

  it('answers each kind of bad frame with a typed error and keeps the connection usable', async () => {
    const client = await connect();
    const cases: Array<[unknown, string]> = [
      ['this is not json', 'INVALID_JSON'],
      ['[1,2,3]', 'INVALID_MESSAGE'],
      [{ payload: { symbols: ['AAPL'] } }, 'INVALID_MESSAGE'],
      [{ action: 'subscribe' }, 'INVALID_MESSAGE'],
      [{ action: 'subscribe', payload: { symbols: [] } }, 'INVALID_MESSAGE'],
      [{ action: 'subscribe', payload: { symbols: ['AAPL', 42] } }, 'INVALID_MESSAGE'],
      [{ action: 'buy', payload: { symbols: ['AAPL'] } }, 'UNKNOWN_ACTION'],
      [{ action: 'subscribe', payload: { symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) } }, 'TOO_MANY_SYMBOLS'],
    ];
    for (const [frame, code] of cases) {
      client.send(frame);
      const error = await client.expect('error');
      assert.equal(error.payload.code, code, `frame ${JSON.stringify(frame)}`);
      assert.ok(error.payload.message.length > 0);
    }
    client.send({ action: 'ping' });
    await client.expect('pong');
    client.send({ action: 'subscribe', payload: { symbols: ['GOOG'] } });
    await client.expect('subscribed');
  });

  it('serves readiness and liveness on every app', async () => {
    for (const app of Object.values(system.apps)) {
      const ready = await app.health('/health');
      assert.equal(ready.status, 200, `${app.name} /health: ${JSON.stringify(ready.body)}`);
      assert.equal((await app.health('/health/live')).status, 200);
    }
    const processor = (await system.apps.processor!.health()).body as { details: Record<string, { state?: string }> };
    assert.deepEqual(Object.keys(processor.details).sort(), ['consumer', 'kafka', 'redis', 'state']);
    assert.equal(processor.details.consumer.state, 'running');
    assert.equal(processor.details.state.state, 'whole', 'Redis holds the whole state (see docs/guarantees.md)');
  });
});
