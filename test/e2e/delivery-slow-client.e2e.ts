import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { quoteKey, type Bar, type ServerMessage } from '#app/contracts';
import { metric } from '../support/metrics.js';
import { ProcessorDouble } from '../support/processor-double.js';
import { ProxiedGateway } from '../support/proxied-gateway.js';
import { assertStrictlyIncreasing } from '../support/seq-order.js';
import { waitUntil } from '../support/wait-until.js';
import type { TestClient } from '../support/ws-client.js';

const SYMBOL = 'AAPL';

/** The TCP socket under the client's WebSocket: paused, the client reads nothing (and answers no ping). */
const tcp = (client: TestClient) => (client.socket as unknown as { _socket: Socket })._socket;

const described = (m: ServerMessage) =>
  m.type === 'update' ? `update ${m.payload.seq}` : m.type === 'snapshot' ? `snapshot ${m.payload.quotes.map((q) => q.seq)}` : m.type;

/**
 * A client that stops reading is conflated (the latest update per stream kept back until it reads
 * again). What it unsubscribed from meanwhile must not reach it afterwards, a snapshot it is sent
 * after subscribing again must not be followed by an older update kept back from before, and the
 * closing frame of a bar (a record of its own, not an earlier state of the next bar) is not conflated away.
 */
describe('updates kept back for a slow client', () => {
  let system: ProxiedGateway;

  before(async () => {
    system = await ProxiedGateway.start({ SYMBOLS: [SYMBOL, 'MSFT'].join(','), WS_SLOW_CLIENT_BUFFER_BYTES: '4096' }, (double) =>
      double.store(ProcessorDouble.quote(SYMBOL, 100)),
    );
  }, { timeout: 90_000 });

  after(() => system?.stop(), { timeout: 30_000 });

  const subscribedClient = async () => {
    const client = await system.connect();
    client.send({ action: 'subscribe', payload: { symbols: [SYMBOL] } });
    await client.next((m) => m.type === 'snapshot');
    return client;
  };

  /**
   * The client stops reading; updates are published until the gateway conflates them (the socket's
   * kernel buffers full, Node holds more than WS_SLOW_CLIENT_BUFFER_BYTES). Resolves with the last seq published, the one kept back, or null if the
   * gateway closed the client instead (then nothing is kept back for it).
   */
  const stopReadingUntilConflated = async (client: TestClient): Promise<number | null> => {
    const { processor, gateway } = system;
    tcp(client).pause();
    const conflatedBefore = await metric(gateway.port, 'gateway_updates_conflated_total');
    const stored = Number(await system.redis.hget(quoteKey(system.prefix, SYMBOL), 'seq'));
    let seq = stored;
    await waitUntil("the gateway to conflate the client's updates", async () => {
      await processor.publishRange(SYMBOL, seq + 1, seq + 500);
      seq += 500;
      return client.socket.readyState !== client.socket.OPEN || (await metric(gateway.port, 'gateway_updates_conflated_total')) > conflatedBefore;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    return client.socket.readyState === client.socket.OPEN ? seq : null;
  };

  it('sends no update of a symbol after its unsubscribed', { timeout: 60_000 }, async () => {
    const client = await subscribedClient();
    if ((await stopReadingUntilConflated(client)) === null) return;
    client.send({ action: 'unsubscribe', payload: { symbols: [SYMBOL] } });
    await sleep(200); // the unsubscribe reaches the gateway (no answer can be read yet)
    tcp(client).resume();
    await client.next((m) => m.type === 'unsubscribed');
    // Sent after the client has read up to `unsubscribed`: its pong to the read receipt came before it.
    client.send({ action: 'ping' });
    await client.next((m) => m.type === 'pong');
    const unsubscribedAt = client.received.findIndex((m) => m.type === 'unsubscribed');
    const late = client.received.slice(unsubscribedAt).map(described);
    assert.deepEqual(late.filter((m) => m.startsWith('update')), [], `from unsubscribed on: ${late.join(', ')}`);
  });

  it('sends no update older than the snapshot of a new subscribe to the same symbol', { timeout: 60_000 }, async () => {
    const { processor } = system;
    const client = await subscribedClient();

    const keptBack = await stopReadingUntilConflated(client);
    if (keptBack === null) return;

    client.send({ action: 'unsubscribe', payload: { symbols: [SYMBOL] } });
    await sleep(200); // the unsubscribe reaches the gateway (no answer can be read yet)
    await processor.publish(ProcessorDouble.quote(SYMBOL, keptBack + 1));
    client.send({ action: 'subscribe', payload: { symbols: [SYMBOL] } });
    await sleep(200);
    tcp(client).resume();

    await waitUntil('the snapshot after subscribing again', () => client.received.filter((m) => m.type === 'snapshot').length === 2, {
      timeoutMs: 10_000,
      state: () => client.received.slice(-3).map(described),
    });
    await processor.publish(ProcessorDouble.quote(SYMBOL, keptBack + 2));
    await client.next((m) => m.type === 'update' && m.payload.seq === keptBack + 2);

    const unsubscribedAt = client.received.findIndex((m) => m.type === 'unsubscribed');
    const resubscribedAt = client.received.findIndex((m, i) => i > unsubscribedAt && m.type === 'subscribed');
    const tail = client.received.slice(unsubscribedAt).map(described).join(', ');
    const between = client.received.slice(unsubscribedAt + 1, resubscribedAt).filter((m) => m.type === 'update');
    assert.deepEqual(between.map(described), [], `updates between unsubscribed and subscribed; from unsubscribed on: ${tail}`);
    const afterResubscribe = client.received.slice(resubscribedAt).flatMap((m) =>
      m.type === 'snapshot' ? m.payload.quotes.map((q) => q.seq) : m.type === 'update' ? [m.payload.seq] : [],
    );
    assertStrictlyIncreasing(new Map([[SYMBOL, afterResubscribe]]), `the client, from unsubscribed on: ${tail}`);
  });

  it("still gets the closing frame of a bar that closed meanwhile, with the bar's final values", { timeout: 60_000 }, async () => {
    const { processor } = system;
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const bar = (seq: number, minute: number, close: number, closed = false): Bar => ({
      symbol: SYMBOL, interval: '1m', start: start + minute * 60_000, open: 100, high: Math.max(100, close), low: Math.min(100, close), close, volume: seq, ticks: seq % 1000, seq, closed,
    });
    await processor.storeBar(bar(50, 0, 100));
    const client = await subscribedClient();
    client.send({ action: 'subscribeBars', payload: { symbols: [SYMBOL], interval: '1m' } });
    await client.next((m) => m.type === 'bar' && m.payload.seq === 50);

    if ((await stopReadingUntilConflated(client)) === null) return;
    const last = bar(60, 0, 104.5);
    await processor.publishBars(bar(59, 0, 103), last, { ...last, closed: true }, bar(61, 1, 104));
    await sleep(200); // the frames reach the gateway (the client reads none of them yet)
    tcp(client).resume();

    await client.next((m) => m.type === 'bar' && m.payload.seq === 61, 10_000);
    const bars = client.received.flatMap((m) => (m.type === 'bar' ? [m.payload] : []));
    const shown = bars.map((b) => `${b.seq}${b.closed ? ' closed' : ''} close ${b.close}`).join(', ');
    const closing = bars.find((b) => b.start === start && b.closed);
    assert.ok(closing, `the bar of ${new Date(start).toISOString()} closed; the client got: ${shown}`);
    assert.equal(closing.close, 104.5, 'its final close');
  });
});
