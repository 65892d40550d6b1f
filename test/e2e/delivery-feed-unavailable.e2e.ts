import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quoteKey, type ServerMessage } from '#app/contracts';
import { ProcessorDouble } from '../support/processor-double.js';
import { ProxiedGateway } from '../support/proxied-gateway.js';
import type { RedisProxy } from '../support/redis-proxy.js';
import { assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NFLX'];

const isError = (code: string, symbol: string) => (m: ServerMessage) => m.type === 'error' && m.payload.code === code && (m.payload.symbols ?? []).includes(symbol);
const hasSnapshotOf = (symbol: string) => (m: ServerMessage) => m.type === 'snapshot' && m.payload.quotes.some((q) => q.symbol === symbol);
/** The frames that carry `symbol`'s quotes (snapshots holding it, its updates), in arrival order. */
const framesOf = (client: TestClient, symbol: string) =>
  client.received.filter((m) => (m.type === 'update' && m.payload.symbol === symbol) || (m.type === 'snapshot' && m.payload.quotes.some((q) => q.symbol === symbol)));

/**
 * A subscribe made while the gateway's feed cannot reach Redis answers FEED_UNAVAILABLE after the
 * channel wait, and the snapshot follows once the feed is back. The test holds back Redis's replies to
 * the gateway's `feed` connection (a proxy in between) to make the feed unreachable, and plays the
 * processor itself, so the order of events is its own.
 */
describe('the snapshot that follows FEED_UNAVAILABLE', () => {
  let system: ProxiedGateway;
  let proxy: RedisProxy;
  let processor: ProcessorDouble;
  const connect = () => system.connect();

  before(async () => {
    system = await ProxiedGateway.start({ SYMBOLS: SYMBOLS.join(','), WS_RATE_LIMIT_BURST: '100' }, async (double) => {
      for (const [i, symbol] of SYMBOLS.entries()) await double.store(ProcessorDouble.quote(symbol, 1000 * (i + 1)));
    });
    ({ proxy, processor } = system);
  }, { timeout: 90_000 });

  after(() => system?.stop(), { timeout: 30_000 });

  it('reaches the client before any update of its symbol, and no seq goes backwards or comes twice', { timeout: 60_000 }, async () => {
    // An observer on a symbol whose channel is live before the outage: its marker, published after
    // MSFT's updates on the same connection, shows that the gateway has fanned them out.
    const observer = await connect();
    observer.send({ action: 'subscribe', payload: { symbols: ['AAPL'] } });
    await observer.next(hasSnapshotOf('AAPL'));

    const client = await connect();
    // GOOG's snapshot read, once the feed is back, is held: MSFT's updates arrive meanwhile.
    const googRead = proxy.holdAfterCommand(quoteKey(system.prefix, 'GOOG'));
    const feed = proxy.holdConnection('feed');
    try {
      client.send({ action: 'subscribe', payload: { symbols: ['MSFT'] } });
      await client.expect('subscribed');
      await client.next(isError('FEED_UNAVAILABLE', 'MSFT'), 20_000);
      // A second subscribe during the outage: the request the deferred MSFT snapshot waits behind.
      client.send({ action: 'subscribe', payload: { symbols: ['GOOG'] } });
      await client.next((m) => m.type === 'subscribed' && m.payload.symbols.includes('GOOG'));
      feed.release();
      await googRead.caught;
      await processor.publish(ProcessorDouble.quote('MSFT', 2001), ProcessorDouble.quote('MSFT', 2002));
      await processor.publish(ProcessorDouble.quote('AAPL', 1001));
      await observer.next((m) => m.type === 'update' && m.payload.seq === 1001);
    } finally {
      feed.release();
      googRead.release();
    }

    await client.next(hasSnapshotOf('GOOG'), 10_000);
    await waitUntil("MSFT's snapshot", () => client.received.some(hasSnapshotOf('MSFT')), { timeoutMs: 10_000, state: () => client.received.slice(-4) });
    await processor.publish(ProcessorDouble.quote('MSFT', 2003));
    await waitUntil('MSFT 2003 to reach the client', () => seqsSeenBy(client).get('MSFT')?.includes(2003), { timeoutMs: 10_000, state: () => client.received.slice(-4) });

    const msft = framesOf(client, 'MSFT');
    const summary = msft.map((m) => (m.type === 'snapshot' ? `snapshot ${m.payload.quotes.find((q) => q.symbol === 'MSFT')!.seq}` : `update ${(m as Extract<ServerMessage, { type: 'update' }>).payload.seq}`));
    assert.equal(msft[0]?.type, 'snapshot', `MSFT's first frame is its snapshot; the client got: ${summary.join(', ')}`);
    assertStrictlyIncreasing(seqsSeenBy(client), 'the client that subscribed during the outage');
  });

  it('is sent even when the client has filled its request queue meanwhile (not dropped silently)', { timeout: 60_000 }, async () => {
    const client = await connect();
    const feed = proxy.holdConnection('feed');
    try {
      client.send({ action: 'subscribe', payload: { symbols: ['AMZN'] } });
      await client.expect('subscribed');
      await client.next(isError('FEED_UNAVAILABLE', 'AMZN'), 20_000);
      client.send({ action: 'subscribe', payload: { symbols: ['TSLA'] } });
      await client.next((m) => m.type === 'subscribed' && m.payload.symbols.includes('TSLA'));
      // Requests waiting behind TSLA's subscribe, up to the queue's bound (the one past it is refused).
      const from = client.received.length;
      for (let i = 0; i < 40; i++) client.send({ action: 'ping' });
      await waitUntil('the pings to be queued (one refused) or answered', () => {
        const later = client.received.slice(from);
        return later.some((m) => m.type === 'error' && m.payload.code === 'RATE_LIMITED') || later.filter((m) => m.type === 'pong').length === 40;
      }, { timeoutMs: 10_000, state: () => client.received.slice(-3) });
    } finally {
      feed.release();
    }
    await client.next(hasSnapshotOf('TSLA'), 10_000);
    const amzn = await waitUntil('AMZN\'s snapshot', () => client.received.find(hasSnapshotOf('AMZN')), {
      timeoutMs: 5000,
      state: () => client.received.map((m) => (m.type === 'error' ? `${m.type} ${m.payload.code}` : m.type)).filter((t, i, all) => t !== all[i - 1]),
    });
    assert.ok(amzn);
  });

  it('is sent once for a symbol subscribed, unsubscribed and subscribed again during the outage', { timeout: 60_000 }, async () => {
    const client = await connect();
    const feed = proxy.holdConnection('feed');
    try {
      client.send({ action: 'subscribe', payload: { symbols: ['NFLX'] } });
      await client.next(isError('FEED_UNAVAILABLE', 'NFLX'), 20_000);
      client.send({ action: 'unsubscribe', payload: { symbols: ['NFLX'] } });
      await client.next((m) => m.type === 'unsubscribed');
      client.send({ action: 'subscribe', payload: { symbols: ['NFLX'] } });
      await client.next(isError('FEED_UNAVAILABLE', 'NFLX'), 20_000);
    } finally {
      feed.release();
    }
    await client.next(hasSnapshotOf('NFLX'), 10_000);
    // A ping answered after the feed is back: whatever snapshot was coming has come before its pong.
    client.send({ action: 'ping' });
    await client.next((m) => m.type === 'pong');
    const frames = client.received.map((m) => (m.type === 'error' ? m.payload.code : m.type));
    assert.equal(client.received.filter(hasSnapshotOf('NFLX')).length, 1, `one snapshot of NFLX; the client got: ${frames.join(', ')}`);
  });
});
