import type { Quote } from '../../../../libs/contracts/src/quote.js';

/** How the last tick moved the price, for the green/red flash. */
export type TickDirection = 'up' | 'down' | 'flat';

export interface SymbolQuotes {
  quote: Quote;
  direction: TickDirection;
  /** The last SPARKLINE_TICKS prices, oldest first. */
  sparkline: number[];
}

export const SPARKLINE_TICKS = 90;

/**
 * The latest quote and recent prices of each symbol, and which symbols changed since the view last
 * looked. Ticks can arrive many times per frame; the book absorbs them all and the view reads each
 * changed symbol once per frame.
 */
export class QuoteBook {
  private readonly bySymbol = new Map<string, SymbolQuotes>();
  private readonly changed = new Set<string>();

  get(symbol: string): SymbolQuotes | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Applies a live update; false (and nothing changes) when its seq is not above the last one seen. */
  applyUpdate(quote: Quote): boolean {
    const known = this.bySymbol.get(quote.symbol);
    if (known && quote.seq <= known.quote.seq) return false;
    this.record(quote, known);
    return true;
  }

  /**
   * Applies a snapshot quote, the gateway's latest stored one. Unlike an update it is taken even when
   * its seq is lower than the last seen: seqs start at a generator's start time in microseconds, so a
   * lower stored seq means the server's seqs went back (Redis lost its data and a generator with an
   * earlier clock refilled it, or another deployment answers), and refusing it would hold the symbol
   * still until the new seqs pass the old one.
   */
  applySnapshot(quote: Quote): boolean {
    const known = this.bySymbol.get(quote.symbol);
    if (known && quote.seq === known.quote.seq) return false;
    this.record(quote, known);
    return true;
  }

  forget(symbol: string): void {
    this.bySymbol.delete(symbol);
    this.changed.delete(symbol);
  }

  /** The symbols changed since the last call; the set is emptied. */
  takeChanged(): string[] {
    const symbols = [...this.changed];
    this.changed.clear();
    return symbols;
  }

  private record(quote: Quote, known: SymbolQuotes | undefined): void {
    this.changed.add(quote.symbol);
    if (!known) {
      this.bySymbol.set(quote.symbol, { quote, direction: 'flat', sparkline: [quote.price] });
      return;
    }
    const previous = known.quote.price;
    known.direction = quote.price > previous ? 'up' : quote.price < previous ? 'down' : 'flat';
    known.quote = quote;
    pushBounded(known.sparkline, quote.price, SPARKLINE_TICKS);
  }
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
