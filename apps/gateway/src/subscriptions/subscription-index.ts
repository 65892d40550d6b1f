import type { ClientSession } from '../connections/client-session.js';

/**
 * Which sessions want which symbol. `add` reports when a symbol gets its first subscriber and
 * `remove` when it loses its last, so the feed subscribes a Redis channel only while someone listens.
 */
export class SubscriptionIndex {
  private readonly bySymbol = new Map<string, Set<ClientSession>>();

  /** True when `symbol` had no subscriber before. */
  add(symbol: string, session: ClientSession): boolean {
    let sessions = this.bySymbol.get(symbol);
    const first = sessions === undefined;
    if (!sessions) this.bySymbol.set(symbol, (sessions = new Set()));
    sessions.add(session);
    session.symbols.add(symbol);
    return first;
  }

  /** True when `symbol` has no subscriber left. */
  remove(symbol: string, session: ClientSession): boolean {
    session.symbols.delete(symbol);
    const sessions = this.bySymbol.get(symbol);
    if (!sessions || !sessions.delete(session)) return false;
    if (sessions.size > 0) return false;
    this.bySymbol.delete(symbol);
    return true;
  }

  subscribers(symbol: string): ReadonlySet<ClientSession> | undefined {
    return this.bySymbol.get(symbol);
  }

  get symbolCount(): number {
    return this.bySymbol.size;
  }
}
