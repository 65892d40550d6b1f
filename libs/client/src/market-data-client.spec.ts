import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Bar, Quote } from '#app/contracts';
import type { SeqGap } from './client-events.js';
import { FakeWebSocket } from './fake-web-socket.js';
import { MarketDataClient } from './market-data-client.js';
import type { MarketDataError } from './market-data-error.js';

const quote = (symbol: string, seq: number): Quote => ({
  symbol,
  price: 100 + seq / 100,
  bid: 99.99,
  ask: 100.01,
  volume: 1000 + seq,
  change: 0.5,
  changePercent: 0.5,
  timestamp: 1_764_000_000_000 + seq,
  seq,
});

const bar = (symbol: string, seq: number): Bar => ({
  symbol,
  interval: '1m',
  start: 1_764_000_000_000 - (1_764_000_000_000 % 60_000),
  open: 100,
  high: 101,
  low: 99,
  close: 100.5,
  volume: 10,
  ticks: 3,
  seq,
  closed: false,
});

/** With random() = 0.5 the backoff waits half its ceiling: 250 ms, 500 ms, 1 s... */
function setup() {
  FakeWebSocket.instances = [];
  const client = new MarketDataClient({ url: 'ws://127.0.0.1:8081/ws', WebSocket: FakeWebSocket, random: () => 0.5 });
  const quotes: string[] = [];
  const gaps: SeqGap[] = [];
  const errors: MarketDataError[] = [];
  const states: string[] = [];
  const bars: Bar[] = [];
  client.on('quote', (q, origin) => quotes.push(`${q.symbol}#${q.seq} ${origin}`));
  client.on('gap', (gap) => gaps.push(gap));
  client.on('error', (error) => errors.push(error));
  client.on('state', (state) => states.push(state.kind));
  client.on('bar', (b) => bars.push(b));
  return { client, quotes, gaps, errors, states, bars };
}

/** Lets `ms` pass in small steps, so each timer sees the clock at its own time (one big tick shows every timer the end time). */
function elapse(ms: number) {
  for (let left = ms; left > 0; left -= 250) mock.timers.tick(Math.min(250, left));
}

/** Opens the current socket and acknowledges a subscribe the way the gateway does: subscribed, then snapshot. */
function subscribed(socket: FakeWebSocket, symbols: string[], snapshot: Quote[]) {
  socket.receive({ type: 'subscribed', payload: { symbols } });
  socket.receive({ type: 'snapshot', payload: { quotes: snapshot } });
}

/** The subscribes a socket was sent (heartbeat pings left out). */
const subscribes = (socket: FakeWebSocket) => socket.sent.filter((m) => m.action === 'subscribe');

/** Every request a socket was sent but the heartbeat pings. */
const requests = (socket: FakeWebSocket) => socket.sent.filter((m) => m.action !== 'ping');

/** The gateway refusing a request for rate reasons, with its hint. */
const refuse = (socket: FakeWebSocket, retryAfterMs?: number) =>
  socket.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down', ...(retryAfterMs && { retryAfterMs }) } });

describe('MarketDataClient', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('sends subscriptions made before connecting once the socket opens, then streams snapshot and updates', () => {
    const { client, quotes, states } = setup();
    client.subscribe(['aapl', ' MSFT ', 'AAPL']);
    client.subscribeBars(['AAPL'], '1m');
    client.connect();
    const socket = FakeWebSocket.last;
    assert.deepEqual(socket.sent, [], 'nothing is sent before open');
    socket.open();
    assert.deepEqual(socket.sent, [
      { action: 'subscribe', payload: { symbols: ['AAPL', 'MSFT'] } },
      { action: 'subscribeBars', payload: { symbols: ['AAPL'], interval: '1m' } },
    ]);
    subscribed(socket, ['AAPL', 'MSFT'], [quote('AAPL', 10), quote('MSFT', 4)]);
    socket.receive({ type: 'update', payload: quote('AAPL', 11) });
    assert.deepEqual(quotes, ['AAPL#10 snapshot', 'MSFT#4 snapshot', 'AAPL#11 update']);
    assert.deepEqual(states, ['connecting', 'open']);
    assert.equal(client.lastSeq('AAPL'), 11);
  });

  it('ignores duplicate and out-of-order seqs, and reports a jump on an unthrottled stream as a gap', () => {
    const { client, quotes, gaps } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL'], [quote('AAPL', 10)]);
    for (const seq of [10, 11, 11, 9, 12, 15, 14, 16]) socket.receive({ type: 'update', payload: quote('AAPL', seq) });
    assert.deepEqual(quotes, ['AAPL#10 snapshot', 'AAPL#11 update', 'AAPL#12 update', 'AAPL#15 update', 'AAPL#16 update']);
    assert.deepEqual(gaps, [{ symbol: 'AAPL', reason: 'seq-jump', afterSeq: 12, nextSeq: 15 }]);
  });

  it('does not call the skipped seqs of a throttled subscription a gap, and checks again once full rate is acknowledged', () => {
    const { client, quotes, gaps } = setup();
    client.subscribe(['AAPL'], { throttleMs: 250 });
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    assert.deepEqual(socket.sent, [{ action: 'subscribe', payload: { symbols: ['AAPL'], throttleMs: 250 } }]);
    subscribed(socket, ['AAPL'], [quote('AAPL', 10)]);
    socket.receive({ type: 'update', payload: quote('AAPL', 14) });
    client.subscribe(['AAPL']);
    assert.deepEqual(socket.sent.at(-1), { action: 'subscribe', payload: { symbols: ['AAPL'], since: { AAPL: 14 } } });
    // The update the throttle held back comes before the acknowledgement; full rate follows on from it.
    socket.receive({ type: 'update', payload: quote('AAPL', 17) });
    socket.receive({ type: 'subscribed', payload: { symbols: ['AAPL'] } });
    socket.receive({ type: 'update', payload: quote('AAPL', 18) });
    assert.deepEqual(gaps, []);
    socket.receive({ type: 'update', payload: quote('AAPL', 20) });
    assert.deepEqual(gaps, [{ symbol: 'AAPL', reason: 'seq-jump', afterSeq: 18, nextSeq: 20 }]);
    assert.equal(quotes.length, 5);
    assert.throws(() => client.subscribe(['AAPL'], { throttleMs: 300 as 250 }), { code: 'INVALID_ARGUMENT' });
  });

  it('re-subscribes after a drop with since = the last seq held per symbol, per throttle, and restores bars', () => {
    const { client, states } = setup();
    client.subscribe(['AAPL', 'MSFT']);
    client.subscribe(['GOOG'], { throttleMs: 1000 });
    client.subscribeBars(['AAPL'], '1m');
    client.connect();
    const first = FakeWebSocket.last;
    first.open();
    subscribed(first, ['AAPL', 'MSFT'], [quote('AAPL', 10)]);
    subscribed(first, ['GOOG'], [quote('GOOG', 7)]);
    first.receive({ type: 'update', payload: quote('AAPL', 11) });
    first.drop();
    assert.deepEqual(client.connectionState, { kind: 'waiting', retryAt: 1_000_250, attempt: 0, closeCode: 1006 });
    elapse(250);
    const second = FakeWebSocket.last;
    assert.notEqual(second, first);
    second.open();
    assert.deepEqual(second.sent, [
      { action: 'subscribe', payload: { symbols: ['AAPL', 'MSFT'], since: { AAPL: 11 } } },
      { action: 'subscribe', payload: { symbols: ['GOOG'], since: { GOOG: 7 }, throttleMs: 1000 } },
      { action: 'subscribeBars', payload: { symbols: ['AAPL'], interval: '1m' } },
    ]);
    assert.deepEqual(states, ['connecting', 'open', 'waiting', 'connecting', 'open']);
    assert.deepEqual(client.connectionState, { kind: 'open', reconnect: true });
  });

  it('fills the hole from a recovery: replayed updates in order, no gap, nothing twice at the seam', () => {
    const { client, quotes, gaps } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    FakeWebSocket.last.open();
    subscribed(FakeWebSocket.last, ['AAPL'], [quote('AAPL', 10)]);
    FakeWebSocket.last.drop();
    elapse(250);
    const socket = FakeWebSocket.last;
    socket.open();
    socket.receive({ type: 'subscribed', payload: { symbols: ['AAPL'] } });
    socket.receive({ type: 'snapshot', payload: { quotes: [], recovery: { AAPL: { recovered: true, replayed: 3 } } } });
    for (const seq of [11, 12, 13, 13, 14]) socket.receive({ type: 'update', payload: quote('AAPL', seq) });
    assert.deepEqual(quotes, ['AAPL#10 snapshot', 'AAPL#11 update', 'AAPL#12 update', 'AAPL#13 update', 'AAPL#14 update']);
    assert.deepEqual(gaps, []);
  });

  it('reports a gap when the recovery fails, then takes the snapshot and carries on from it', () => {
    const { client, quotes, gaps } = setup();
    client.subscribe(['AAPL', 'MSFT']);
    client.connect();
    FakeWebSocket.last.open();
    subscribed(FakeWebSocket.last, ['AAPL', 'MSFT'], [quote('AAPL', 10), quote('MSFT', 3)]);
    FakeWebSocket.last.drop();
    elapse(250);
    const socket = FakeWebSocket.last;
    socket.open();
    socket.receive({ type: 'subscribed', payload: { symbols: ['AAPL', 'MSFT'] } });
    socket.receive({
      type: 'snapshot',
      payload: { quotes: [quote('AAPL', 500)], recovery: { AAPL: { recovered: false, replayed: 0 }, MSFT: { recovered: true, replayed: 1 } } },
    });
    socket.receive({ type: 'update', payload: quote('MSFT', 4) });
    socket.receive({ type: 'update', payload: quote('AAPL', 501) });
    assert.deepEqual(gaps, [{ symbol: 'AAPL', reason: 'not-recovered', afterSeq: 10, nextSeq: 500 }]);
    assert.deepEqual(quotes.slice(2), ['AAPL#500 snapshot', 'MSFT#4 update', 'AAPL#501 update']);
  });

  it('re-sends a subscribe that the drop interrupted before its acknowledgement', () => {
    const { client, quotes } = setup();
    client.connect();
    FakeWebSocket.last.open();
    client.subscribe(['NVDA']);
    assert.deepEqual(FakeWebSocket.last.actions, ['subscribe']);
    FakeWebSocket.last.drop();
    elapse(250);
    FakeWebSocket.last.open();
    assert.deepEqual(FakeWebSocket.last.sent, [{ action: 'subscribe', payload: { symbols: ['NVDA'] } }], 'no since: nothing was held');
    subscribed(FakeWebSocket.last, ['NVDA'], [quote('NVDA', 5)]);
    assert.deepEqual(quotes, ['NVDA#5 snapshot']);
  });

  it('forgets what is unsubscribed while disconnected: it is not restored on reconnect, and a later subscribe starts afresh', () => {
    const { client, quotes } = setup();
    client.subscribe(['AAPL', 'MSFT']);
    client.subscribeBars(['AAPL'], '1m');
    client.connect();
    FakeWebSocket.last.open();
    subscribed(FakeWebSocket.last, ['AAPL', 'MSFT'], [quote('AAPL', 10), quote('MSFT', 3)]);
    const dropped = FakeWebSocket.last;
    dropped.drop();
    client.unsubscribe(['msft']);
    client.unsubscribeBars(['AAPL'], '1m');
    assert.equal(dropped.sent.length, 2, 'nothing sent while disconnected');
    elapse(250);
    FakeWebSocket.last.open();
    assert.deepEqual(FakeWebSocket.last.sent, [{ action: 'subscribe', payload: { symbols: ['AAPL'], since: { AAPL: 10 } } }]);
    assert.equal(client.lastSeq('MSFT'), undefined);
    // A late update of the dropped symbol is not passed on.
    FakeWebSocket.last.receive({ type: 'update', payload: quote('MSFT', 4) });
    assert.deepEqual(quotes, ['AAPL#10 snapshot', 'MSFT#3 snapshot']);
  });

  it('backs off when the socket closes before it opens, and a close() during connect leaves nothing running', () => {
    const { client, states } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    FakeWebSocket.last.drop();
    elapse(249);
    assert.equal(FakeWebSocket.instances.length, 1, 'waits out the backoff');
    elapse(1);
    assert.equal(FakeWebSocket.instances.length, 2);
    FakeWebSocket.last.drop();
    assert.deepEqual(client.connectionState, { kind: 'waiting', retryAt: 1_000_750, attempt: 1, closeCode: 1006 }, 'the wait grows');
    elapse(500);
    const connecting = FakeWebSocket.last;
    client.close();
    assert.ok(connecting.closedByClient);
    connecting.open();
    connecting.drop();
    elapse(60_000);
    assert.equal(FakeWebSocket.instances.length, 3, 'no attempt after close()');
    assert.deepEqual(connecting.sent, [], 'its late open sent nothing');
    assert.equal(states.at(-1), 'closed');
  });

  it('resets the backoff only after a connection stayed up, so an accept-then-close loop still backs off', () => {
    const { client } = setup();
    client.connect();
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last.open();
      FakeWebSocket.last.drop(1013);
      elapse(250 * 2 ** i);
    }
    assert.equal(FakeWebSocket.instances.length, 4);
    FakeWebSocket.last.open();
    elapse(5_000);
    FakeWebSocket.last.drop();
    assert.equal((client.connectionState as { attempt: number }).attempt, 0);
  });

  it('ignores the frames and close of a socket it has given up on', () => {
    const { client, quotes, states } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    const old = FakeWebSocket.last;
    old.open();
    elapse(25_000); // silent line: dropped
    elapse(250);
    FakeWebSocket.last.open();
    const stateCount = states.length;
    old.receive({ type: 'update', payload: quote('AAPL', 99) });
    old.drop();
    assert.deepEqual(quotes, []);
    assert.equal(states.length, stateCount);
    assert.equal(client.connectionState.kind, 'open');
  });

  it('pings a quiet line and drops one that stays silent, then reconnects', () => {
    const { client } = setup();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    elapse(10_000);
    assert.deepEqual(socket.actions, ['ping']);
    socket.receive({ type: 'pong' });
    elapse(20_000);
    assert.equal(client.connectionState.kind, 'open', 'the pong kept it alive');
    elapse(5_000); // 25 s since the pong
    assert.ok(socket.closedByClient);
    const kind = () => client.connectionState.kind;
    assert.equal(kind(), 'waiting');
    elapse(250);
    assert.notEqual(FakeWebSocket.last, socket);
    assert.equal(kind(), 'connecting');
  });

  it('reports a malformed frame as INVALID_FRAME and keeps streaming', () => {
    const { client, quotes, errors } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL'], [quote('AAPL', 1)]);
    for (const raw of ['{nope', '[]', '{"type":"update","payload":{"symbol":"AAPL","seq":"2"}}', '{"type":"bar","payload":{"interval":"__proto__","symbol":"AAPL"}}', '{"type":"surprise"}', new Uint8Array(2)]) {
      socket.receiveRaw(raw);
    }
    socket.receive({ type: 'bar', payload: { ...bar('AAPL', 1), interval: '__proto__' as '1m' } });
    socket.receive({ type: 'update', payload: quote('AAPL', 2) });
    assert.deepEqual(errors.map((e) => e.code), Array(6).fill('INVALID_FRAME'));
    assert.deepEqual(quotes, ['AAPL#1 snapshot', 'AAPL#2 update']);
  });

  it('passes bars of its bar subscriptions only', () => {
    const { client, bars } = setup();
    client.subscribeBars(['AAPL'], '1m');
    client.connect();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'bar', payload: bar('AAPL', 5) });
    FakeWebSocket.last.receive({ type: 'bar', payload: bar('MSFT', 5) });
    FakeWebSocket.last.receive({ type: 'bar', payload: { ...bar('AAPL', 6), interval: '1s' } });
    assert.deepEqual(bars.map((b) => `${b.symbol} ${b.interval} ${b.seq}`), ['AAPL 1m 5']);
    assert.throws(() => client.subscribeBars(['AAPL'], '5m' as '1m'), { code: 'INVALID_ARGUMENT' });
  });

  it('passes gateway errors on with their code, and stops re-subscribing a symbol the gateway does not trade', () => {
    const { client, errors } = setup();
    client.subscribe(['AAPL', 'ZZZZ']);
    client.connect();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ type: 'error', payload: { code: 'UNKNOWN_SYMBOL', message: 'Not traded here: ZZZZ', symbols: ['ZZZZ'] } });
    FakeWebSocket.last.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down' } });
    assert.deepEqual(errors.map((e) => [e.code, e.symbols]), [['UNKNOWN_SYMBOL', ['ZZZZ']], ['RATE_LIMITED', []]]);
    FakeWebSocket.last.drop();
    elapse(250);
    FakeWebSocket.last.open();
    assert.deepEqual(FakeWebSocket.last.sent, [{ action: 'subscribe', payload: { symbols: ['AAPL'] } }]);
  });

  it('sends a subscribe refused with RATE_LIMITED again once, after the hint but at least 1 s, however many refusals came', () => {
    const { client, errors } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL'], [quote('AAPL', 1)]);
    client.subscribe(['NVDA']);
    client.subscribe(['TSLA']);
    for (let i = 0; i < 5; i++) socket.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 200 } });
    assert.deepEqual(errors.map((e) => [e.code, e.retryAfterMs]), Array(5).fill(['RATE_LIMITED', 200]), 'each refusal is still reported');
    const before = subscribes(socket).length;
    elapse(750);
    assert.equal(subscribes(socket).length, before, 'not before the 1 s floor');
    elapse(250);
    assert.deepEqual(subscribes(socket).slice(before), [{ action: 'subscribe', payload: { symbols: ['NVDA', 'TSLA'] } }], 'one resend of what is not acknowledged');
    elapse(60_000);
    assert.equal(subscribes(socket).length, before + 1, 'and no more without another refusal');
  });

  it('doubles the wait for each resend refused in a row up to 30 s, honours a longer hint, and starts over after an acknowledgement', () => {
    const { client } = setup();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    client.subscribe(['NVDA']);
    const refuse = (retryAfterMs?: number) => socket.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down', ...(retryAfterMs && { retryAfterMs }) } });
    /** How long after a refusal the next subscribe went out, in 250 ms steps; the line kept alive meanwhile. */
    const resentAfter = () => {
      const before = subscribes(socket).length;
      let waited = 0;
      while (subscribes(socket).length === before && waited < 120_000) {
        elapse(250);
        socket.receive({ type: 'pong' });
        waited += 250;
      }
      return waited;
    };
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      refuse();
      waits.push(resentAfter());
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    socket.receive({ type: 'subscribed', payload: { symbols: ['NVDA'] } });
    client.subscribe(['TSLA']);
    refuse(5000);
    assert.equal(resentAfter(), 5000, 'a hint longer than the floor is waited out');
    socket.receive({ type: 'subscribed', payload: { symbols: ['TSLA'] } });
    client.subscribe(['AMD']);
    refuse();
    assert.equal(resentAfter(), 1000, 'after an acknowledgement the first wait is short again');
  });

  it('drops a planned resend when the socket reconnects (everything is restored) or the client is closed', () => {
    const { client } = setup();
    client.connect();
    FakeWebSocket.last.open();
    client.subscribe(['NVDA']);
    FakeWebSocket.last.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 100 } });
    FakeWebSocket.last.drop();
    elapse(250);
    FakeWebSocket.last.open();
    assert.deepEqual(FakeWebSocket.last.actions, ['subscribe'], 'restored once on the new socket');
    elapse(5000);
    assert.equal(subscribes(FakeWebSocket.last).length, 1, 'the resend planned on the old socket is gone');

    FakeWebSocket.last.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down' } });
    client.close();
    client.connect();
    FakeWebSocket.last.open();
    elapse(5000);
    assert.equal(subscribes(FakeWebSocket.last).length, 1);
  });

  it('sends nothing after RATE_LIMITED when every subscription is acknowledged (the refused request was another)', () => {
    const { client } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL'], [quote('AAPL', 1)]);
    socket.receive({ type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down' } });
    elapse(5000);
    assert.equal(subscribes(socket).length, 1);
  });

  it('sends a bar subscription refused with RATE_LIMITED again, and not once the gateway has acknowledged it', () => {
    const { client, bars } = setup();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    client.subscribeBars(['aapl'], '1m');
    refuse(socket, 200);
    const before = requests(socket).length;
    elapse(750);
    assert.equal(requests(socket).length, before, 'not before the 1 s floor');
    elapse(250);
    assert.deepEqual(requests(socket).slice(before), [{ action: 'subscribeBars', payload: { symbols: ['AAPL'], interval: '1m' } }]);
    socket.receive({ type: 'barsSubscribed', payload: { symbols: ['AAPL'], interval: '1m' } });
    socket.receive({ type: 'bar', payload: bar('AAPL', 5) });
    assert.deepEqual(bars.map((b) => b.seq), [5]);
    refuse(socket);
    elapse(5000);
    assert.equal(requests(socket).length, before + 1, 'an acknowledged bar subscription is not sent again');
  });

  it('sends an unsubscribe and a bar unsubscribe refused with RATE_LIMITED again, each until the gateway acknowledges it', () => {
    const { client } = setup();
    client.subscribe(['AAPL', 'MSFT']);
    client.subscribeBars(['AAPL'], '1m');
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL', 'MSFT'], [quote('AAPL', 1), quote('MSFT', 1)]);
    socket.receive({ type: 'barsSubscribed', payload: { symbols: ['AAPL'], interval: '1m' } });
    client.unsubscribe(['MSFT']);
    client.unsubscribeBars(['AAPL'], '1m');
    refuse(socket);
    refuse(socket);
    const before = requests(socket).length;
    elapse(1000);
    const unsubscribeMsft = { action: 'unsubscribe', payload: { symbols: ['MSFT'] } };
    const unsubscribeBars = { action: 'unsubscribeBars', payload: { symbols: ['AAPL'], interval: '1m' } };
    assert.deepEqual(requests(socket).slice(before), [unsubscribeMsft, unsubscribeBars], 'one resend of each, nothing acknowledged sent');
    // The unsubscribe got through, the bar unsubscribe was refused again: only it goes once more.
    socket.receive({ type: 'unsubscribed', payload: { symbols: ['MSFT'] } });
    refuse(socket);
    elapse(1000);
    assert.deepEqual(requests(socket).slice(before + 2), [unsubscribeBars]);
    socket.receive({ type: 'barsUnsubscribed', payload: { symbols: ['AAPL'], interval: '1m' } });
    refuse(socket);
    elapse(5000);
    assert.equal(requests(socket).length, before + 3, 'nothing left to send');
  });

  it('resends what the caller wants now: a subscribe refused, then unsubscribed before the resend, is not subscribed again', () => {
    const { client, quotes, bars } = setup();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    client.subscribe(['NVDA']);
    client.subscribeBars(['NVDA'], '1s');
    refuse(socket);
    refuse(socket);
    client.unsubscribe(['NVDA']);
    client.unsubscribeBars(['NVDA'], '1s');
    refuse(socket);
    const before = requests(socket).length;
    elapse(1000);
    // Whether the gateway ever held NVDA is unknown (RATE_LIMITED does not say which request it refused): unsubscribe to be sure.
    assert.deepEqual(requests(socket).slice(before), [
      { action: 'unsubscribe', payload: { symbols: ['NVDA'] } },
      { action: 'unsubscribeBars', payload: { symbols: ['NVDA'], interval: '1s' } },
    ], 'no stale subscribe');
    // A late acknowledgement of the first subscribe does not make NVDA wanted again.
    socket.receive({ type: 'subscribed', payload: { symbols: ['NVDA'] } });
    socket.receive({ type: 'unsubscribed', payload: { symbols: ['NVDA'] } });
    socket.receive({ type: 'barsUnsubscribed', payload: { symbols: ['NVDA'], interval: '1s' } });
    socket.receive({ type: 'update', payload: quote('NVDA', 3) });
    socket.receive({ type: 'bar', payload: { ...bar('NVDA', 3), interval: '1s' } });
    assert.deepEqual([quotes, bars], [[], []]);
    refuse(socket);
    elapse(5000);
    assert.equal(requests(socket).length, before + 2, 'nothing left to send');
    socket.drop();
    elapse(250);
    FakeWebSocket.last.open();
    assert.deepEqual(FakeWebSocket.last.sent, [], 'nor restored on the next connection');
  });

  it('resends what the caller wants now: an unsubscribe refused, then subscribed again before the resend, is not unsubscribed', () => {
    const { client, quotes } = setup();
    client.subscribe(['AAPL']);
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL'], [quote('AAPL', 1)]);
    client.unsubscribe(['AAPL']);
    refuse(socket);
    client.subscribe(['AAPL']);
    refuse(socket);
    const before = requests(socket).length;
    elapse(1000);
    assert.deepEqual(requests(socket).slice(before), [{ action: 'subscribe', payload: { symbols: ['AAPL'] } }], 'no stale unsubscribe');
    socket.receive({ type: 'unsubscribed', payload: { symbols: ['AAPL'] } });
    subscribed(socket, ['AAPL'], [quote('AAPL', 4)]);
    socket.receive({ type: 'update', payload: quote('AAPL', 5) });
    assert.deepEqual(quotes, ['AAPL#1 snapshot', 'AAPL#4 snapshot', 'AAPL#5 update']);
  });

  it('answers two refusals in a row with one resend each, after the hint when it is the longer wait', () => {
    const { client } = setup();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    client.subscribeBars(['AAPL'], '1m');
    client.subscribeBars(['MSFT'], '1m');
    client.unsubscribeBars(['MSFT'], '1m');
    for (let i = 0; i < 3; i++) refuse(socket, 3000);
    const resends = () => requests(socket).slice(3);
    elapse(2750);
    assert.deepEqual(resends(), [], 'the hint is waited out');
    elapse(250);
    const resend = [
      { action: 'unsubscribeBars', payload: { symbols: ['MSFT'], interval: '1m' } },
      { action: 'subscribeBars', payload: { symbols: ['AAPL'], interval: '1m' } },
    ];
    assert.deepEqual(resends(), resend, 'one resend for the three refusals');
    refuse(socket, 3000);
    refuse(socket, 3000);
    elapse(2750);
    assert.equal(resends().length, 2, 'the second wait is the hint too, longer than the doubled 2 s');
    elapse(250);
    assert.deepEqual(resends(), [...resend, ...resend], 'one resend for the second row of refusals');
    socket.receive({ type: 'pong' });
    elapse(20_000);
    assert.equal(resends().length, 4, 'and none without another refusal');
  });

  it('sends nothing on a socket that dropped while a resend was planned, and the next connection restores what the caller wants', () => {
    const { client } = setup();
    client.subscribe(['AAPL', 'MSFT']);
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    subscribed(socket, ['AAPL', 'MSFT'], [quote('AAPL', 1), quote('MSFT', 1)]);
    client.subscribeBars(['AAPL'], '1m');
    client.unsubscribe(['MSFT']);
    refuse(socket, 500);
    refuse(socket, 500);
    const sentBefore = socket.sent.length;
    socket.drop();
    elapse(1500);
    assert.equal(socket.sent.length, sentBefore, 'nothing sent on the dead socket');
    const next = FakeWebSocket.last;
    assert.notEqual(next, socket);
    assert.deepEqual(next.sent, [], 'nor on one still connecting');
    next.open();
    assert.deepEqual(next.sent, [
      { action: 'subscribe', payload: { symbols: ['AAPL'], since: { AAPL: 1 } } },
      { action: 'subscribeBars', payload: { symbols: ['AAPL'], interval: '1m' } },
    ], 'the wanted subscriptions restored; no unsubscribe, the new connection holds nothing');
    elapse(5000);
    assert.equal(requests(next).length, 2, 'the resend planned on the dead socket is gone');
  });

  it('refuses an address that is not ws: or wss:, and says how to connect where there is no global WebSocket', () => {
    assert.throws(() => new MarketDataClient({ url: 'http://127.0.0.1:8081/ws', WebSocket: FakeWebSocket }), { code: 'INVALID_ARGUMENT' });
    const original = (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
      const client = new MarketDataClient({ url: 'ws://127.0.0.1:8081/ws' });
      assert.throws(() => client.connect(), { code: 'INVALID_ARGUMENT', message: /options\.WebSocket/ });
    } finally {
      (globalThis as { WebSocket?: unknown }).WebSocket = original;
    }
  });

  it('backs off when the WebSocket constructor throws', () => {
    FakeWebSocket.instances = [];
    let calls = 0;
    class Refusing extends FakeWebSocket {
      constructor(url: string) {
        if (++calls === 1) throw new Error('blocked');
        super(url);
      }
    }
    const client = new MarketDataClient({ url: 'wss://example.test/ws', WebSocket: Refusing, random: () => 0.5, apiKey: 'k 1' });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    client.connect();
    assert.equal(client.connectionState.kind, 'waiting');
    elapse(250);
    assert.equal(FakeWebSocket.last.url, 'wss://example.test/ws?apiKey=k+1');
    assert.deepEqual(errors, ['NETWORK_ERROR']);
  });
});
