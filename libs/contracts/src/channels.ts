/**
 * Redis names shared by the processor (writer) and the gateway (reader).
 * `prefix` comes from REDIS_KEY_PREFIX so several deployments or test runs can share one Redis.
 *
 * Every key and channel of a symbol carries the symbol as a hash tag (`quote:{AAPL}`), so in a Redis
 * Cluster they all live in one slot: the processor stores, records and publishes a symbol's quotes in
 * one script call, and the symbol's sharded channel is served by the shard that holds its keys.
 * SYMBOL_PATTERN and REDIS_KEY_PREFIX allow no braces, so the symbol is always the first tag.
 */
export const quoteKey = (prefix: string, symbol: string): string => `${prefix}quote:{${symbol}}`;
export const quoteChannel = (prefix: string, symbol: string): string => `${prefix}quotes:{${symbol}}`;
/**
 * A symbol's recent quotes: a Redis Stream whose entry IDs are `<seq>-0` (so a range by seq is one
 * XRANGE) and whose one field, `json`, is the quote as stored under quoteKey.
 */
export const historyKey = (prefix: string, symbol: string): string => `${prefix}history:{${symbol}}`;
/** A symbol's bars of one interval: a sorted set of Bar JSON scored by bar start (ms); the highest is the current bar. */
export const barsKey = (prefix: string, interval: string, symbol: string): string => `${prefix}bars:${interval}:{${symbol}}`;
/** Where every change of a symbol's current bar of one interval is published. */
export const barChannel = (prefix: string, interval: string, symbol: string): string => `${prefix}bar:${interval}:{${symbol}}`;
