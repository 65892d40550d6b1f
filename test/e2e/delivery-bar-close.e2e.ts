import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { barsKey, type Bar, type ServerMessage } from '#app/contracts';
import { ProcessorDouble } from '../support/processor-double.js';
import { ProxiedGateway } from '../support/proxied-gateway.js';

const SYMBOL = 'AAPL';
const MINUTE = 60_000;
const SEQ = 7000;

type BarFrame = Extract<ServerMessage, { type: 'bar' }>;
const bars = (received: ServerMessage[]) => received.filter((m): m is BarFrame => m.type === 'bar').map((m) => m.payload);
const shown = (list: Bar[]) => list.map((b) => `seq ${b.seq}${b.closed ? ' closed' : ''}`).join(', ');

/**
 * When the next minute's first tick arrives, the processor publishes the finished bar once more with
 * `closed:true` and the seq it had (the last tick in it), then the new bar. A client whose
 * `subscribeBars` is reading the current bar at that moment must still get the closing frame.
 */
describe('the closing frame of a bar while subscribeBars reads the current one', () => {
  let system: ProxiedGateway;
  const start = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const open: Bar = { symbol: SYMBOL, interval: '1m', start, open: 100, high: 101, low: 99, close: 100.5, volume: 500, ticks: 12, seq: SEQ, closed: false };

  before(async () => {
    system = await ProxiedGateway.start({ SYMBOLS: [SYMBOL, 'MSFT'].join(',') }, (double) => double.storeBar(open));
  }, { timeout: 90_000 });

  after(() => system?.stop(), { timeout: 30_000 });

  it('reaches the client: the bar it was sent open, then closed, then the next one', { timeout: 60_000 }, async () => {
    const { proxy, processor } = system;
    // An observer already on the bar channel: once it has the new bar, the gateway has fanned out both frames.
    const observer = await system.connect();
    observer.send({ action: 'subscribeBars', payload: { symbols: [SYMBOL], interval: '1m' } });
    await observer.next((m) => m.type === 'bar' && m.payload.seq === SEQ);

    const client = await system.connect();
    const currentRead = proxy.holdAfterCommand(barsKey(system.prefix, '1m', SYMBOL));
    try {
      client.send({ action: 'subscribeBars', payload: { symbols: [SYMBOL], interval: '1m' } });
      await client.expect('barsSubscribed');
      // Redis has answered the read with the open bar; the answer is on its way while the minute turns.
      await currentRead.caught;
      const next: Bar = { ...open, start: start + MINUTE, open: 100.5, high: 100.5, low: 100.5, close: 100.5, volume: 7, ticks: 1, seq: SEQ + 1 };
      await processor.publishBars({ ...open, closed: true }, next);
      await observer.next((m) => m.type === 'bar' && m.payload.seq === SEQ + 1);
    } finally {
      currentRead.release();
    }
    await client.next((m) => m.type === 'bar' && m.payload.seq === SEQ + 1, 10_000);

    const got = bars(client.received).map((b) => [b.seq, b.closed] as const);
    // The open bar first is what today's gateway sends; a gateway that merges it with the closing frame may skip it.
    const withOpen = [[SEQ, false], [SEQ, true], [SEQ + 1, false]];
    assert.ok(
      [JSON.stringify(withOpen), JSON.stringify(withOpen.slice(1))].includes(JSON.stringify(got)),
      `the client got: ${shown(bars(client.received))}; expected the bar's closing frame (seq ${SEQ} closed) before seq ${SEQ + 1}`,
    );
  });

  it('sends the bar it read once: its own frame, still on its way from Redis, is not sent again', { timeout: 60_000 }, async () => {
    const { proxy, processor } = system;
    const observer = await system.connect();
    observer.send({ action: 'subscribeBars', payload: { symbols: [SYMBOL], interval: '1m' } });
    await observer.next((m) => m.type === 'bar');

    // The processor stores a change of the current bar and publishes it; the message is late on the feed.
    const current: Bar = { ...open, start: start + MINUTE, open: 100.5, high: 101.5, low: 100.5, close: 101.5, volume: 9, ticks: 2, seq: SEQ + 2 };
    const feed = proxy.holdConnection('feed');
    const client = await system.connect();
    try {
      await processor.publishBars(current);
      client.send({ action: 'subscribeBars', payload: { symbols: [SYMBOL], interval: '1m' } });
      await client.expect('barsSubscribed');
      await client.next((m) => m.type === 'bar' && m.payload.seq === SEQ + 2);
    } finally {
      feed.release();
    }
    await observer.next((m) => m.type === 'bar' && m.payload.seq === SEQ + 2);
    await processor.publishBars({ ...current, close: 102, high: 102, ticks: 3, seq: SEQ + 3 });
    await client.next((m) => m.type === 'bar' && m.payload.seq === SEQ + 3, 10_000);

    const got = bars(client.received);
    assert.deepEqual(got.map((b) => b.seq), [SEQ + 2, SEQ + 3], `the client got: ${shown(got)}`);
  });
});
