export { MarketDataClient, type MarketDataClientOptions } from './market-data-client.js';
export type { ConnectionState, MarketDataEvents, SeqGap } from './client-events.js';
export { MarketDataError, type ClientErrorCode, type MarketDataErrorCode } from './market-data-error.js';
export { RestClient, type BarHistory, type BarQuery, type HistoryQuery, type QuoteHistory, type RestClientOptions } from './rest-client.js';
export { RECONNECT_BACKOFF, reconnectDelay, type BackoffPolicy } from './reconnect-backoff.js';
export { SeqTracker, type SeqVerdict } from './seq-tracker.js';
export type { WebSocketConstructor, WebSocketLike } from './web-socket-like.js';
