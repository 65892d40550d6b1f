import { SYMBOL_PATTERN } from '../../../../libs/contracts/src/quote.js';

/** What a first visit shows. */
export const DEFAULT_WATCHLIST: readonly string[] = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];

export const WATCHLIST_STORAGE_KEY = 'stock-watchlist:symbols';

/** The part of the Web Storage API the store uses, so tests can hand it a Map-backed fake. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The user's symbols in the order they were added, saved on every change and restored on the next visit. */
export class WatchlistStore {
  private readonly list: string[];

  constructor(private readonly storage: KeyValueStorage) {
    this.list = restore(storage);
  }

  get symbols(): readonly string[] {
    return this.list;
  }

  has(symbol: string): boolean {
    return this.list.includes(symbol);
  }

  /** False when the symbol is already listed. */
  add(symbol: string): boolean {
    if (this.has(symbol)) return false;
    this.list.push(symbol);
    this.save();
    return true;
  }

  /** False when the symbol was not listed. */
  remove(symbol: string): boolean {
    const at = this.list.indexOf(symbol);
    if (at < 0) return false;
    this.list.splice(at, 1);
    this.save();
    return true;
  }

  private save(): void {
    try {
      this.storage.setItem(WATCHLIST_STORAGE_KEY, JSON.stringify(this.list));
    } catch {
      // Storage full or disabled (private mode): the list still works for this visit.
    }
  }
}

/** The saved list, or the default when there is none; an emptied list stays empty, a corrupt one is replaced. */
function restore(storage: KeyValueStorage): string[] {
  let saved: unknown;
  try {
    const raw = storage.getItem(WATCHLIST_STORAGE_KEY);
    if (raw === null) return [...DEFAULT_WATCHLIST];
    saved = JSON.parse(raw);
  } catch {
    return [...DEFAULT_WATCHLIST];
  }
  if (!Array.isArray(saved)) return [...DEFAULT_WATCHLIST];
  const valid = saved.filter((s): s is string => typeof s === 'string' && SYMBOL_PATTERN.test(s));
  return [...new Set(valid)];
}
