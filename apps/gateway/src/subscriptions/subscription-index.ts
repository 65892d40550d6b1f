import { Injectable } from '@nestjs/common';
import type { ClientSession } from '../connections/client-session.js';
import { QuoteFeed, type FeedSink } from '../feed/quote-feed.js';

/**
 * Which sessions want which stream: a quote stream is keyed by its symbol (`AAPL`), a bar stream by
 * interval and symbol (`1m:AAPL`). `add` reports when a key gets its first subscriber and `remove` when
 * it loses its last, so the feed listens to a Redis channel only while someone wants it. The session's
 * own set of keys (`symbols` or `bars`) is kept in step here, in the same call. It is the feed's sink:
 * each update goes to every subscriber of its stream.
 */
@Injectable()
export class SubscriptionIndex implements FeedSink {
  private readonly byKey = new Map<string, Set<ClientSession>>();

  constructor(feed?: QuoteFeed) {
    feed?.deliverTo(this);
  }

  /** The hot path: one update to each subscriber of its stream; false when it has none. */
  deliver(key: string, seq: number, frame: Buffer, closes = false): boolean {
    const sessions = this.byKey.get(key);
    if (!sessions) return false;
    for (const session of sessions) session.deliver(key, seq, frame, closes);
    return true;
  }

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
