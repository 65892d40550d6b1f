import type { Bar, Quote } from '#app/contracts';
import type { MarketDataError } from './market-data-error.js';

/**
 * The connection, as one state machine. `idle` until connect(); `connecting` while a socket opens;
 * `open` while it is up; `waiting` for the next attempt after a drop (at `retryAt`); `closed` after
 * close(). `reconnect` says an earlier connection was open, so the subscriptions are being restored.
 */
export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting'; reconnect: boolean }
  | { kind: 'open'; reconnect: boolean }
  | { kind: 'waiting'; retryAt: number; attempt: number; closeCode: number | null }
  | { kind: 'closed' };

/**
 * Quotes the client will never receive. `seq-jump`: an unthrottled stream skipped seqs. `not-recovered`:
 * after a reconnect the gateway's history no longer reached back to the last seq held, so the snapshot
 * (with the latest quote) follows instead of the missed ones.
 */
export interface SeqGap {
  symbol: string;
  reason: 'seq-jump' | 'not-recovered';
  /** The last seq held before the gap. */
  afterSeq: number;
  /** The first seq after it, or null when the gateway had no quote of the symbol at all. */
  nextSeq: number | null;
}

export interface MarketDataEvents {
  state: (state: ConnectionState) => void;
  /** A quote newer than any held for its symbol: from a snapshot, a replay after a reconnect, or live. */
  quote: (quote: Quote, origin: 'snapshot' | 'update') => void;
  /** A bar of a bar subscription: the current one on subscribe, then every change (closed once, at its end). */
  bar: (bar: Bar) => void;
  gap: (gap: SeqGap) => void;
  /** The gateway acknowledged a subscribe of these symbols. */
  subscribed: (symbols: string[]) => void;
  /** An error frame from the gateway (its code passed on), or a frame from it the client ignored (INVALID_FRAME). */
  error: (error: MarketDataError) => void;
}

/**
 * Typed listeners. A listener that throws does not stop the others or leave the client half-way through
 * a frame: its error is rethrown on its own, where the host reports uncaught errors.
 */
export class ClientEvents {
  private readonly listeners: { [E in keyof MarketDataEvents]: Set<MarketDataEvents[E]> } = {
    state: new Set(),
    quote: new Set(),
    bar: new Set(),
    gap: new Set(),
    subscribed: new Set(),
    error: new Set(),
  };

  on<E extends keyof MarketDataEvents>(event: E, listener: MarketDataEvents[E]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  emit<E extends keyof MarketDataEvents>(event: E, ...args: Parameters<MarketDataEvents[E]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<MarketDataEvents[E]>) => void)(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
