import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerFrame } from './server-frame.js';

const quote = { symbol: 'AAPL', price: 189.1, bid: 189, ask: 189.2, volume: 10, change: 1, changePercent: 0.5, timestamp: 1_764_000_000_000, seq: 3 };
const bar = { symbol: 'AAPL', interval: '1m', start: 1_764_000_000_000, open: 1, high: 2, low: 1, close: 2, volume: 5, ticks: 2, seq: 3, closed: false };
const frame = (value: unknown) => parseServerFrame(JSON.stringify(value));

describe('parseServerFrame', () => {
  it('accepts every message of the contract', () => {
    const good = [
      { type: 'update', payload: quote },
      { type: 'bar', payload: bar },
      { type: 'snapshot', payload: { quotes: [quote] } },
      { type: 'snapshot', payload: { quotes: [], recovery: { AAPL: { recovered: false, replayed: 0 } } } },
      { type: 'subscribed', payload: { symbols: ['AAPL'] } },
      { type: 'unsubscribed', payload: { symbols: [] } },
      { type: 'barsSubscribed', payload: { symbols: ['AAPL'], interval: '1m' } },
      { type: 'barsUnsubscribed', payload: { symbols: ['AAPL'], interval: '1s' } },
      { type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down' } },
      { type: 'error', payload: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 200 } },
      { type: 'error', payload: { code: 'UNKNOWN_SYMBOL', message: 'no', symbols: ['ZZZZ'] } },
      { type: 'pong' },
    ];
    for (const message of good) assert.deepEqual(frame(message), { ok: true, message }, JSON.stringify(message));
  });

  it('refuses with a reason, never a throw, what the client could not use', () => {
    const bad: unknown[] = [
      'not json',
      null,
      [1],
      { payload: quote },
      { type: 'update', payload: { ...quote, seq: -1 } },
      { type: 'update', payload: { ...quote, seq: 1.5 } },
      { type: 'update', payload: { ...quote, price: '189' } },
      { type: 'update', payload: { ...quote, symbol: undefined } },
      { type: 'bar', payload: { ...bar, closed: 'no' } },
      { type: 'snapshot', payload: { quotes: [{ ...quote, timestamp: null }] } },
      { type: 'snapshot', payload: { quotes: [], recovery: { AAPL: { recovered: 'yes', replayed: 0 } } } },
      { type: 'subscribed', payload: { symbols: [1] } },
      { type: 'error', payload: { code: 42, message: 'x' } },
      { type: 'error', payload: { code: 'RATE_LIMITED', message: 'x', retryAfterMs: -1 } },
      { type: 'error', payload: { code: 'RATE_LIMITED', message: 'x', retryAfterMs: '200' } },
      { type: 'snapshot' },
      { type: 'toString' },
    ];
    for (const value of bad) {
      const result = typeof value === 'string' ? parseServerFrame(value) : frame(value);
      assert.equal(result.ok, false, JSON.stringify(value));
      assert.ok(!result.ok && result.reason.length > 0);
    }
    assert.deepEqual(parseServerFrame(new ArrayBuffer(4)), { ok: false, reason: 'not a text frame' });
  });
});
