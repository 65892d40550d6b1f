import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SYMBOLS, validateTick } from '#app/contracts';
import { TickSimulator } from './tick-simulator.js';

describe('TickSimulator', () => {
  const symbols = DEFAULT_SYMBOLS.slice(0, 3);

  it('emits one valid tick per symbol per round, burst times', () => {
    const ticks = new TickSimulator(symbols).round(4);
    assert.equal(ticks.length, 12);
    for (const tick of ticks) assert.deepEqual(validateTick(tick), { ok: true, tick });
  });

  it('increments seq by exactly one per tick of a symbol, starting above every earlier run', () => {
    const start = Date.now();
    const simulator = new TickSimulator(symbols);
    const seqs = simulator.round(1000).filter((t) => t.symbol === 'AAPL').map((t) => t.seq);
    assert.ok(seqs[0] > start * 1000, 'first seq is above the start time in microseconds');
    seqs.forEach((seq, i) => i > 0 && assert.equal(seq - seqs[i - 1], 1));
  });

  it('walks prices randomly around the open, keeping bid < ask around the price and volume growing', () => {
    const simulator = new TickSimulator([{ symbol: 'TEST', basePrice: 100, volatility: 0.3 }]);
    const ticks = simulator.round(5000);
    const prices = new Set(ticks.map((t) => t.price));
    assert.ok(prices.size > 20, `the price moves, ${prices.size} distinct prices`);
    let volume = 0;
    for (const t of ticks) {
      assert.ok(t.bid < t.ask && t.bid <= t.price && t.price <= t.ask, JSON.stringify(t));
      assert.ok(t.volume > volume, 'volume grows with every tick');
      volume = t.volume;
      assert.ok(Math.abs(t.change - (t.price - 100)) < 0.011);
      assert.ok(Math.abs(t.changePercent - t.change) < 0.011, 'changePercent is against the open of 100');
    }
    const last = ticks.at(-1)!.price;
    assert.ok(last > 50 && last < 200, `a day of 30 % volatility stays near the open, got ${last}`);
  });

  it('is reproducible with an injected random source and clock', () => {
    let s = 1;
    const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const a = new TickSimulator(symbols, random, () => 1_000).round(3);
    s = 1;
    const b = new TickSimulator(symbols, random, () => 1_000).round(3);
    assert.deepEqual(a, b);
  });
});
