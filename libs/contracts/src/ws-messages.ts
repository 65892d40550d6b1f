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

export const CLIENT_ACTIONS = ['subscribe', 'unsubscribe', 'ping'] as const;
export type ClientAction = (typeof CLIENT_ACTIONS)[number];

export interface SymbolsPayload {
  symbols: string[];
}

/** Frames a client sends. */
export type ClientMessage =
  | { action: 'subscribe'; payload: SymbolsPayload }
  | { action: 'unsubscribe'; payload: SymbolsPayload }
  | { action: 'ping' };

/** Frames the gateway sends. */
export type ServerMessage =
  | { type: 'subscribed'; payload: SymbolsPayload }
  | { type: 'unsubscribed'; payload: SymbolsPayload }
  | { type: 'snapshot'; payload: { quotes: Quote[] } }
  | { type: 'update'; payload: Quote }
  | { type: 'pong' }
  | { type: 'error'; payload: { code: WsErrorCode; message: string; symbols?: string[] } };

/** WebSocket close codes the gateway uses (RFC 6455 section 7.4.1). */
export const WsCloseCode = {
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
} as const;
