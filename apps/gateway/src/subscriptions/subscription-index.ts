import type { ClientSession } from '../connections/client-session.js';

/**
 * Which sessions want which stream: a quote stream is keyed by its symbol (`AAPL`), a bar stream by
 * interval and symbol (`1m:AAPL`). `add` reports when a key gets its first subscriber and `remove` when
 * it loses its last, so the feed listens to a Redis channel only while someone wants it. The session's
 * own set of keys (`symbols` or `bars`) is kept in step here, in the same call.
 */
export class SubscriptionIndex {
  private readonly byKey = new Map<string, Set<ClientSession>>();

  /** True when `key` had no subscriber before. */
  add(key: string, session: ClientSession, keys: Set<string> = session.symbols): boolean {
    let sessions = this.byKey.get(key);
    const first = sessions === undefined;
    if (!sessions) this.byKey.set(key, (sessions = new Set()));
    sessions.add(session);
    keys.add(key);
    return first;
  }

  /** True when `key` has no subscriber left. */
  remove(key: string, session: ClientSession, keys: Set<string> = session.symbols): boolean {
    keys.delete(key);
    const sessions = this.byKey.get(key);
    if (!sessions || !sessions.delete(session)) return false;
    if (sessions.size > 0) return false;
    this.byKey.delete(key);
    return true;
  }

  subscribers(key: string): ReadonlySet<ClientSession> | undefined {
    return this.byKey.get(key);
  }

  get symbolCount(): number {
    return this.byKey.size;
  }
}

/** The index key of a symbol's bars of one interval. */
export const barKey = (interval: string, symbol: string): string => `${interval}:${symbol}`;
