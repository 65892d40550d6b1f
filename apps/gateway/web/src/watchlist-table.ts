import type { SymbolQuotes } from './quote-book.js';
import { QuoteRow } from './quote-row.js';

export interface WatchlistTableEvents {
  select(symbol: string): void;
  remove(symbol: string): void;
}

/** The table body: one QuoteRow per symbol, kept in watchlist order; clicks are delegated to the body. */
export class WatchlistTable {
  private readonly rows = new Map<string, QuoteRow>();

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly empty: HTMLElement,
    events: WatchlistTableEvents,
  ) {
    body.addEventListener('click', (event) => {
      const button = (event.target as Element).closest('button');
      const symbol = button?.closest('tr')?.dataset.symbol;
      if (!button || !symbol) return;
      if (button.dataset.testid === 'remove-symbol') events.remove(symbol);
      else if (button.dataset.testid === 'select-symbol') events.select(symbol);
    });
  }

  /** Adds and removes rows to match `symbols`; rows that stay keep their element and their state. */
  setSymbols(symbols: readonly string[], quotes: (symbol: string) => SymbolQuotes | undefined): void {
    for (const [symbol, row] of this.rows) {
      if (!symbols.includes(symbol)) {
        row.element.remove();
        this.rows.delete(symbol);
      }
    }
    symbols.forEach((symbol, index) => {
      let row = this.rows.get(symbol);
      if (!row) {
        row = new QuoteRow(symbol);
        this.rows.set(symbol, row);
        const entry = quotes(symbol);
        if (entry) row.render(entry);
      }
      if (this.body.children[index] !== row.element) this.body.insertBefore(row.element, this.body.children[index] ?? null);
    });
    this.empty.hidden = symbols.length > 0;
  }

  render(symbol: string, quotes: SymbolQuotes): void {
    this.rows.get(symbol)?.render(quotes);
  }

  select(symbol: string | null): void {
    for (const row of this.rows.values()) row.selected = row.symbol === symbol;
  }
}
