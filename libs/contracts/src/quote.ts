/** The latest state of one symbol, as generated, stored in Redis and sent to clients. */
export interface Quote {
  symbol: string;
  price: number;
  bid: number;
  ask: number;
  volume: number;
  /** Price minus the day's open. */
  change: number;
  /** change / open * 100. */
  changePercent: number;
  /** Epoch milliseconds at generation. */
  timestamp: number;
  /** Per-symbol counter, +1 per tick. */
  seq: number;
}

/** A tick is a quote on the wire from the generator; the processor keeps the newest per symbol. */
export type Tick = Quote;

/** Upper-case ticker: a letter, then up to nine letters, digits, dots or dashes. */
export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,9}$/;
