import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectDelay } from './reconnect-backoff.js';

describe('reconnect backoff', () => {
  const policy = { baseMs: 500, capMs: 15_000 };
  const highest = (attempt: number) => reconnectDelay(attempt, policy, () => 0.999999);

  it('doubles the ceiling from 0.5 s per attempt up to the 15 s cap', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50, 5000].map(highest), [499, 999, 1999, 3999, 7999, 14_999, 14_999, 14_999, 14_999]);
  });

  it('picks uniformly below the ceiling (full jitter), so clients dropped together come back apart', () => {
    assert.equal(reconnectDelay(3, policy, () => 0), 0);
    assert.equal(reconnectDelay(3, policy, () => 0.5), 2000);
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(4, policy)));
    assert.ok(delays.size > 40, 'real randomness spreads the delays');
    for (const d of delays) assert.ok(d >= 0 && d < 8000);
  });
});
