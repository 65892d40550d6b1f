import type { Bar, BarInterval } from './bar.js';
import type { Quote } from './quote.js';

/** Stable error codes sent in `{"type":"error"}` frames; clients may switch on them. */
export const WsErrorCode = {
  INVALID_JSON: 'INVALID_JSON',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  INVALID_SYMBOL: 'INVALID_SYMBOL',
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  TOO_MANY_SYMBOLS: 'TOO_MANY_SYMBOLS',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The gateway's Redis feed is reconnecting; the symbols named stay subscribed and follow once it is back. */
  FEED_UNAVAILABLE: 'FEED_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type WsErrorCode = (typeof WsErrorCode)[keyof typeof WsErrorCode];

export const CLIENT_ACTIONS = ['subscribe', 'unsubscribe', 'subscribeBars', 'unsubscribeBars', 'ping'] as const;
export type ClientAction = (typeof CLIENT_ACTIONS)[number];

/** The update rates a subscription may be throttled to: at most one update per symbol every N ms (0: every one). */
export const THROTTLE_MS = [0, 100, 250, 500, 1000] as const;
export type ThrottleMs = (typeof THROTTLE_MS)[number];

export interface SymbolsPayload {
  symbols: string[];
}

export interface SubscribePayload extends SymbolsPayload {
  /** The last seq the client holds per symbol: the gateway replays what came after it from history. */
  since?: Record<string, number>;
  /** Conflate these symbols' updates for this client to the latest every N ms; seq then skips. */
  throttleMs?: ThrottleMs;
}

export interface BarsPayload extends SymbolsPayload {
  interval: BarInterval;
}

/** Frames a client sends. */
export type ClientMessage =
  | { action: 'subscribe'; payload: SubscribePayload }
  | { action: 'unsubscribe'; payload: SymbolsPayload }
  | { action: 'subscribeBars'; payload: BarsPayload }
  | { action: 'unsubscribeBars'; payload: BarsPayload }
  | { action: 'ping' };

/**
 * Per symbol subscribed with `since`: `recovered` when every quote after `since` was replayed
 * (`replayed` of them, as update frames right after the snapshot), false when history no longer
 * reaches back that far; the snapshot then carries the symbol's latest quote and the client knows
 * it has a gap.
 */
export interface Recovery {
  recovered: boolean;
  replayed: number;
}

export interface ErrorPayload {
  code: WsErrorCode;
  message: string;
  /** The symbols the error is about, when it is about some. */
  symbols?: string[];
  /** With RATE_LIMITED: how long to wait before the refused request may be sent again. */
  retryAfterMs?: number;
}

/** Frames the gateway sends. */
export type ServerMessage =
  | { type: 'subscribed'; payload: SymbolsPayload }
  | { type: 'unsubscribed'; payload: SymbolsPayload }
  | { type: 'snapshot'; payload: { quotes: Quote[]; recovery?: Record<string, Recovery> } }
  | { type: 'barsSubscribed'; payload: BarsPayload }
  | { type: 'barsUnsubscribed'; payload: BarsPayload }
  | { type: 'bar'; payload: Bar }
  | { type: 'update'; payload: Quote }
  | { type: 'pong' }
  | { type: 'error'; payload: ErrorPayload };

/** WebSocket close codes the gateway uses (RFC 6455 section 7.4.1; 4000-4999 are the application's own). */
export const WsCloseCode = {
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
  /** The JWT the socket was opened with expired: connect again with a fresh one (not a violation, so not 1008). */
  TOKEN_EXPIRED: 4001,
} as const;
