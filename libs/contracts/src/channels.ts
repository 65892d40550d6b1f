/**
 * Redis names shared by the processor (writer) and the gateway (reader).
 * `prefix` comes from REDIS_KEY_PREFIX so several deployments or test runs can share one Redis.
 */
export const quoteKey = (prefix: string, symbol: string): string => `${prefix}quote:${symbol}`;
export const quoteChannel = (prefix: string, symbol: string): string => `${prefix}quotes:${symbol}`;
/** The symbol a quote channel carries, or undefined for a channel that is not one. */
export function symbolOfChannel(prefix: string, channel: string): string | undefined {
  const head = `${prefix}quotes:`;
  return channel.startsWith(head) ? channel.slice(head.length) : undefined;
}
