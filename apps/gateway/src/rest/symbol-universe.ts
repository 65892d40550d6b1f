import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { marketConfig, type MarketConfig } from '#app/config';

/** The symbols this deployment trades (SYMBOLS): the only ones the REST API answers for. */
@Injectable()
export class SymbolUniverse {
  private readonly known: ReadonlySet<string>;

  constructor(@Inject(marketConfig.KEY) market: Pick<MarketConfig, 'symbols'>) {
    this.known = new Set(market.symbols.map((s) => s.symbol));
  }

  /** 404 naming every symbol (already upper-cased and well-formed) that is not traded here. */
  assertKnown(symbols: readonly string[]): void {
    const unknown = symbols.filter((s) => !this.known.has(s));
    if (unknown.length === 1) throw new NotFoundException(`Unknown symbol: ${unknown[0]}`);
    if (unknown.length > 1) throw new NotFoundException(`Unknown symbols: ${unknown.join(', ')}`);
  }
}
