import type { SymbolSpec, Tick } from '#app/contracts';
import { gaussian, nextPrice, roundPrice, spreadAround } from './price-walk.js';

interface SymbolState {
  spec: SymbolSpec;
  open: number;
  price: number;
  volume: number;
  seq: number;
}

/**
 * The market: a random walk per symbol with bid/ask, a growing day volume and a per-symbol `seq`.
 * `seq` starts at the start time in microseconds, so a restarted generator continues above every
 * seq it published before and the processor's "newer seq wins" rule keeps accepting its ticks.
 */
export class TickSimulator {
  private readonly states: SymbolState[];

  constructor(
    symbols: readonly SymbolSpec[],
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    const firstSeq = this.now() * 1000;
    this.states = symbols.map((spec) => ({
      spec,
      open: spec.basePrice,
      price: spec.basePrice,
      volume: Math.round(100_000 + this.random() * 900_000),
      seq: firstSeq,
    }));
  }

  get symbolCount(): number {
    return this.states.length;
  }

  /** `burst` ticks for every symbol, symbol by symbol in order of seq. */
  round(burst = 1): Tick[] {
    const ticks: Tick[] = [];
    const timestamp = this.now();
    for (let i = 0; i < burst; i++) {
      for (const state of this.states) ticks.push(this.step(state, timestamp));
    }
    return ticks;
  }

  private step(state: SymbolState, timestamp: number): Tick {
    state.price = nextPrice(state.price, state.spec.volatility, gaussian(this.random));
    state.volume += Math.round(100 * (1 + 20 * this.random() ** 3));
    state.seq += 1;
    const price = roundPrice(state.price);
    const change = roundPrice(price - state.open);
    return {
      symbol: state.spec.symbol,
      price,
      ...spreadAround(price),
      volume: state.volume,
      change,
      changePercent: Math.round((change / state.open) * 10_000) / 100,
      timestamp,
      seq: state.seq,
    };
  }
}
