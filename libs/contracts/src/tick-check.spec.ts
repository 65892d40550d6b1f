import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTick } from './tick-check.js';
import { validateTick } from './tick.dto.js';

const FIELDS = ['symbol', 'price', 'bid', 'ask', 'volume', 'change', 'changePercent', 'timestamp', 'seq'] as const;

/** Values a stranger's record may hold in any field: every type, and the edges of each rule. */
const ODD_VALUES: unknown[] = [
  undefined, null, true, false, '', '1', '189.12', 'AAPL', 'aapl', 'A'.repeat(11), 'BRK.B', 'X-1', '1AB', [], [1], {}, { valueOf: () => 1 },
  0, -0, 1, -1, 0.5, -0.5, 1.5, 189.12, 42, 2 ** 53, 2 ** 53 + 2, 1e300, -1e300, Number.MIN_VALUE, Number.MAX_VALUE,
  Number.NaN, Infinity, -Infinity, 1764000000000, 1764000000000042,
];

let state = 42;
/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(): number {
  state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
  return state / 2 ** 31;
}

function validTick(): Record<string, unknown> {
  const price = Math.round((1 + random() * 5000) * 100) / 100;
  const spread = Math.round(random() * 50) / 100;
  return {
    symbol: ['AAPL', 'MSFT', 'BRK.B', 'X', 'ABCDEFGHIJ'][Math.floor(random() * 5)],
    price,
    bid: Math.max(0.01, Math.round((price - spread) * 100) / 100),
    ask: Math.round((price + spread) * 100) / 100,
    volume: Math.floor(random() * 1e9),
    change: Math.round((random() - 0.5) * 1000) / 100,
    changePercent: Math.round((random() - 0.5) * 2000) / 100,
    timestamp: 1_764_000_000_000 + Math.floor(random() * 1e9),
    seq: Math.floor(random() * 2 ** 52),
  };
}

function assertSameVerdict(value: unknown) {
  const reference = validateTick(value);
  const fast = checkTick(value);
  assert.equal(fast.ok, reference.ok, `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}: DTO says ${reference.ok ? 'ok' : (reference as { reason: string }).reason}`);
  if (fast.ok && reference.ok) assert.deepEqual(fast.tick, reference.tick);
}

describe('checkTick, the hot-path copy of the TickDto rules', () => {
  it('accepts exactly the generated valid ticks the DTO accepts, keeping the same fields', () => {
    for (let i = 0; i < 2000; i++) assertSameVerdict({ ...validTick(), extra: 'dropped' });
  });

  it('rejects exactly what the DTO rejects, for every odd value in every field', () => {
    for (const field of FIELDS) {
      for (const odd of ODD_VALUES) {
        const tick = validTick();
        tick[field] = odd;
        assertSameVerdict(tick);
        const missing = validTick();
        delete missing[field];
        assertSameVerdict(missing);
      }
    }
  });

  it('agrees on random mixtures of odd values, bid above ask, and what is not an object', () => {
    for (const value of [null, undefined, 'tick', 42, [], [validTick()]]) assertSameVerdict(value);
    for (let i = 0; i < 3000; i++) {
      const tick = validTick();
      for (const field of FIELDS) if (random() < 0.15) tick[field] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
      if (random() < 0.1) [tick.bid, tick.ask] = [tick.ask, tick.bid];
      assertSameVerdict(tick);
    }
  });
});
