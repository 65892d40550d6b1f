/** Injection token: the gateway's dedicated Redis pub/sub connection (ioredis, autoResubscribe off). */
export const FEED_SUBSCRIBER = Symbol('FEED_SUBSCRIBER');
