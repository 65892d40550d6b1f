import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateTick } from './tick.dto.js';

const good = { symbol: 'AAPL', price: 189.12, bid: 189.11, ask: 189.13, volume: 1234567, change: 1.23, changePercent: 0.65, timestamp: 1764000000000, seq: 42 };

describe('validateTick', () => {
  it('accepts a well-formed tick and keeps only the contract fields', () => {
    const result = validateTick({ ...good, extra: 'dropped' });
    assert.deepEqual(result, { ok: true, tick: good });
  });

  it('rejects what is not a tick, with a reason', () => {
    const bad: unknown[] = [
      null,
      'a string',
      [good],
      { ...good, symbol: 'aapl' },
      { ...good, price: -1 },
      { ...good, price: '189.12' },
      { ...good, bid: Number.NaN },
      { ...good, volume: 1.5 },
      { ...good, seq: -1 },
      { ...good, timestamp: undefined },
      { ...good, bid: 190, ask: 189 },
    ];
    for (const value of bad) {
      const result = validateTick(value);
      assert.equal(result.ok, false, JSON.stringify(value));
      assert.ok(!result.ok && result.reason.length > 0);
    }
  });
});
