import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bar, Quote, ServerMessage } from '#app/contracts';
import { MarketDataClient, type ConnectionState, type MarketDataError, type SeqGap } from '#app/client';
import { AppProcess } from '../support/app-process.js';
import { System } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';

const SYMBOLS = ['AAPL', 'MSFT'];
/** A tiny budget per connection: the two requests a client sends on connecting, then one a second. */
const BUDGET = { WS_RATE_LIMIT_BURST: '2', WS_RATE_LIMIT_PER_SECOND: '1' };

/**
 * libs/client in Node against the real pipeline, as docs/client-library.md shows it, on Node's own WebSocket and
 * fetch. What a user of the SDK relies on: quotes in seq order, bars, the REST calls with typed
 * errors, a gateway restart that costs no quote and needs no code of theirs, and requests refused
 * with RATE_LIMITED sent again by themselves.
 */
describe('the client library against the real gateway', () => {
  let system: System;
  let client: MarketDataClient;
  const quotes = new Map<string, number[]>(SYMBOLS.map((s) => [s, []]));
  const bars: Bar[] = [];
  const gaps: SeqGap[] = [];
  const errors: MarketDataError[] = [];
  const states: ConnectionState[] = [];
  const last = (symbol: string) => quotes.get(symbol)!.at(-1);

  before(async () => {
    system = await System.start({ SYMBOLS: [...SYMBOLS, 'GOOG'].join(','), ...BUDGET });
    client = new MarketDataClient({ url: system.wsUrl });
    client.on('quote', (quote: Quote) => quotes.get(quote.symbol)?.push(quote.seq));
    client.on('bar', (bar) => bars.push(bar));
    client.on('gap', (gap) => gaps.push(gap));
    client.on('error', (error) => errors.push(error));
    client.on('state', (state) => states.push(state));
    client.subscribe(SYMBOLS);
    client.subscribeBars(['AAPL'], '1s');
    client.connect();
  }, { timeout: 180_000 });

  after(async () => {
    client?.close();
    await system?.stop();
  });

  it('streams the subscribed symbols in strictly rising seq order, and the 1 s bars of AAPL until one closes', { timeout: 60_000 }, async () => {
    await waitUntil('20 quotes of each symbol', () => SYMBOLS.every((s) => quotes.get(s)!.length >= 20), { timeoutMs: 45_000, state: () => quotes });
    await waitUntil('a closed 1 s bar of AAPL', () => bars.some((b) => b.closed), { timeoutMs: 30_000, state: () => bars.length });
    for (const symbol of SYMBOLS) {
      const seqs = quotes.get(symbol)!;
      assert.ok(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]), `${symbol} in rising seq order`);
    }
    assert.ok(bars.every((b) => b.symbol === 'AAPL' && b.interval === '1s'));
    assert.deepEqual(gaps, []);
    assert.deepEqual(errors, []);
  });

  it('answers the REST calls with the contract shapes, and refuses bad ones with typed errors', { timeout: 30_000 }, async () => {
    const [latest] = await client.latestQuotes(['aapl']);
    assert.equal(latest.symbol, 'AAPL');
    const since = last('AAPL')! - 10;
    const history = await client.history('AAPL', { since, limit: 5 });
    assert.equal(history.complete, true);
    assert.deepEqual(history.quotes.map((q) => q.seq), [1, 2, 3, 4, 5].map((n) => since + n));
    const { bars: page } = await client.bars('AAPL', { interval: '1s', limit: 3 });
    assert.ok(page.length > 0 && page.length <= 3);
    assert.ok(page.every((b, i) => i === 0 || b.start > page[i - 1].start), 'bars by start ascending');
    await assert.rejects(client.latestQuotes(['ZZZZ']), { code: 'NOT_FOUND', status: 404 });
    await assert.rejects(client.history('AAPL', { limit: 5000 }), { code: 'BAD_REQUEST', status: 400 });
  });

  it('comes back by itself after a gateway restart and misses no quote: since replays the hole', { timeout: 120_000 }, async () => {
    const marks = new Map(SYMBOLS.map((s) => [s, quotes.get(s)!.length]));
    const gateway = system.apps.gateway!;
    const since = (kind: ConnectionState['kind'], from: number) => () => states.slice(from).some((s) => s.kind === kind);
    const beforeStop = states.length;
    await gateway.stop();
    await waitUntil('the client waiting to reconnect', since('waiting', beforeStop), { timeoutMs: 10_000 });
    const beforeStart = states.length;
    system.apps.gateway = await AppProcess.start('gateway', gateway.port, { ...system.env, GATEWAY_PORT: String(gateway.port) });
    await waitUntil('the client open again', since('open', beforeStart), { timeoutMs: 60_000, state: () => client.connectionState });
    // Past the restart: every symbol has moved on by 20 quotes from where it was when the gateway stopped.
    const resumeFrom = new Map(SYMBOLS.map((s) => [s, last(s)!]));
    await waitUntil('20 quotes past the restart', () => SYMBOLS.every((s) => last(s)! >= resumeFrom.get(s)! + 20), { timeoutMs: 45_000, state: () => quotes });
    for (const symbol of SYMBOLS) {
      const seqs = quotes.get(symbol)!.slice(marks.get(symbol)! - 1);
      const holes = seqs.filter((seq, i) => i > 0 && seq !== seqs[i - 1] + 1);
      assert.deepEqual(holes, [], `${symbol}: ${seqs[0]}..${seqs.at(-1)} without a hole or a repeat`);
    }
    assert.deepEqual(gaps, []);
    assert.ok(states.some((s) => s.kind === 'open' && s.reconnect));
    assert.deepEqual(errors, []);
  });

  it('sends the bar subscribe and the unsubscribe a tiny budget refused again, and ends with exactly what it asked for', { timeout: 90_000 }, async () => {
    const frames: ServerMessage[] = [];
    /** Node's WebSocket, recording every frame the gateway sends, before the client filters them. */
    class Recording extends WebSocket {
      constructor(url: string) {
        super(url);
        this.addEventListener('message', (event) => frames.push(JSON.parse(String(event.data)) as ServerMessage));
      }
    }
    const limited = new MarketDataClient({ url: system.wsUrl, WebSocket: Recording });
    const limitedBars: Bar[] = [];
    limited.on('bar', (bar) => limitedBars.push(bar));
    const opened = new Promise<void>((resolve) => limited.on('state', (state) => state.kind === 'open' && resolve()));
    limited.connect();
    try {
      await opened;
      // Four requests at once on a budget of two: the bar subscribe and the unsubscribe are refused.
      limited.subscribe(['AAPL']);
      limited.subscribe(['MSFT']);
      limited.subscribeBars(['AAPL'], '1s');
      limited.unsubscribe(['MSFT']);
      const index = (match: (m: ServerMessage) => boolean) => frames.findIndex(match);
      const barsAcked = (m: ServerMessage) => m.type === 'barsSubscribed' && m.payload.interval === '1s' && m.payload.symbols.includes('AAPL');
      const msftDropped = (m: ServerMessage) => m.type === 'unsubscribed' && m.payload.symbols.includes('MSFT');
      await waitUntil('the resent bar subscribe and unsubscribe acknowledged', () => index(barsAcked) >= 0 && index(msftDropped) >= 0, {
        timeoutMs: 30_000,
        state: () => frames.filter((m) => m.type !== 'update' && m.type !== 'bar'),
      });
      const refusals = frames.filter((m) => m.type === 'error' && m.payload.code === 'RATE_LIMITED');
      assert.ok(refusals.length >= 2, `the burst was refused in part, got ${refusals.length} RATE_LIMITED`);
      const dropped = index(msftDropped);
      const aaplAfter = () => frames.slice(dropped).filter((m) => m.type === 'update' && m.payload.symbol === 'AAPL').length;
      await waitUntil('20 AAPL updates and 2 AAPL bars after both acknowledgements', () => aaplAfter() >= 20 && limitedBars.length >= 2, {
        timeoutMs: 45_000,
        state: () => ({ aapl: aaplAfter(), bars: limitedBars.length }),
      });
      assert.ok(frames.slice(index(barsAcked)).some((m) => m.type === 'bar' && m.payload.symbol === 'AAPL'), 'the gateway sends AAPL bars');
      assert.deepEqual(
        frames.slice(dropped).filter((m) => m.type === 'update' && m.payload.symbol !== 'AAPL').map((m) => m.type === 'update' && m.payload.seq),
        [],
        'no update of the dropped MSFT after its unsubscribe was acknowledged',
      );
      assert.ok(frames.every((m) => m.type !== 'bar' || (m.payload.symbol === 'AAPL' && m.payload.interval === '1s')), 'bars of nothing else');
    } finally {
      limited.close();
    }
  });
});
