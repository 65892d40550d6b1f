import { Injectable } from '@nestjs/common';
import type { ClientSession } from '../connections/client-session.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { QuoteFeed, type FeedSink } from '../feed/quote-feed.js';
import { ThrottledGroup, ThrottleGrid } from './throttle-grid.js';

/** One stream's subscribers: those who take every update, and those throttled, by interval. */
interface Stream {
  every: Set<ClientSession>;
  throttled: Map<number, ThrottledGroup<ClientSession>> | null;
  size: number;
}

/**
 * Which sessions want which stream: a quote stream is keyed by its symbol (`AAPL`), a bar stream by
 * interval and symbol (`1m:AAPL`). `add` reports when a key gets its first subscriber and `remove` when
 * it loses its last, so the feed listens to a Redis channel only while someone wants it. The session's
 * own set of keys (`symbols` or `bars`) is kept in step here, in the same call. It is the feed's sink:
 * each update goes to every unthrottled subscriber of its stream, and to the stream's throttled groups
 * (ThrottleGrid), which hand the newest one to their subscribers once per interval.
 */
@Injectable()
export class SubscriptionIndex implements FeedSink {
  private readonly byKey = new Map<string, Stream>();
  private readonly grid: ThrottleGrid;

  constructor(feed?: QuoteFeed, stats?: GatewayStats) {
    this.grid = new ThrottleGrid((count) => {
      if (stats) stats.updatesConflated += count;
    });
    feed?.deliverTo(this);
  }

  /** The hot path: one update to each subscriber of its stream; false when it has none. */
  deliver(key: string, seq: number, frame: Buffer, closes = false): boolean {
    const stream = this.byKey.get(key);
    if (!stream) return false;
    for (const session of stream.every) session.deliver(key, seq, frame, closes);
    if (stream.throttled) for (const group of stream.throttled.values()) this.grid.offer(group, seq, frame);
    return true;
  }

  /** True when `key` had no subscriber before. `throttleMs` > 0: at most one update per that many ms. */
  add(key: string, session: ClientSession, keys: Set<string> = session.symbols, throttleMs = 0): boolean {
    let stream = this.byKey.get(key);
    const first = stream === undefined;
    if (!stream) this.byKey.set(key, (stream = { every: new Set(), throttled: null, size: 0 }));
    if (!keys.has(key)) {
      keys.add(key);
      stream.size++;
      this.place(key, stream, session, throttleMs);
    }
    return first;
  }

  /**
   * Moves a subscribed session to another throttle (0: every update). An update its old throttle held
   * back goes out now rather than wait for a beat the session no longer follows.
   */
  setThrottle(key: string, session: ClientSession, throttleMs: number, keys: Set<string> = session.symbols): void {
    const stream = this.byKey.get(key);
    if (!stream || !keys.has(key) || this.throttleIn(stream, session) === throttleMs) return;
    this.unplace(stream, session, true);
    this.place(key, stream, session, throttleMs);
  }

  /** True when `key` has no subscriber left. */
  remove(key: string, session: ClientSession, keys: Set<string> = session.symbols): boolean {
    if (!keys.delete(key)) return false;
    const stream = this.byKey.get(key);
    if (!stream) return false;
    this.unplace(stream, session, false);
    if (--stream.size > 0) return false;
    this.byKey.delete(key);
    return true;
  }

  /** How many sessions follow `key`, throttled or not. */
  subscriberCount(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  get symbolCount(): number {
    return this.byKey.size;
  }

  private place(key: string, stream: Stream, session: ClientSession, throttleMs: number): void {
    if (throttleMs === 0) return void stream.every.add(session);
    stream.throttled ??= new Map();
    let group = stream.throttled.get(throttleMs);
    if (!group) stream.throttled.set(throttleMs, (group = new ThrottledGroup(key, throttleMs)));
    group.join(session);
  }

  private unplace(stream: Stream, session: ClientSession, handOver: boolean): void {
    if (stream.every.delete(session) || !stream.throttled) return;
    for (const [intervalMs, group] of stream.throttled) {
      if (!group.members.has(session)) continue;
      group.leave(session, handOver);
      if (group.members.size === 0) stream.throttled.delete(intervalMs);
      break;
    }
    if (stream.throttled.size === 0) stream.throttled = null;
  }

  /** The session's throttle on `key`: 0 for every update, -1 when it does not follow `key`. */
  throttleOf(key: string, session: ClientSession): number {
    const stream = this.byKey.get(key);
    return stream ? this.throttleIn(stream, session) : -1;
  }

  private throttleIn(stream: Stream, session: ClientSession): number {
    if (stream.every.has(session)) return 0;
    for (const [intervalMs, group] of stream.throttled ?? []) if (group.members.has(session)) return intervalMs;
    return -1;
  }
}

/** The index key of a symbol's bars of one interval. */
export const barKey = (interval: string, symbol: string): string => `${interval}:${symbol}`;
