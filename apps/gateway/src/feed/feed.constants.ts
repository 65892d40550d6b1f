/** Injection token: the gateway's Redis pub/sub (a FeedSubscriber: the single server, or a cluster's shards). */
export const FEED_SUBSCRIBER = Symbol('FEED_SUBSCRIBER');

/** Waiting messages (about 10 MB of quotes) past which only the latest per stream is kept. */
export const FEED_MAX_WAITING = 50_000;
/**
 * How long the oldest message may wait for fan-out before only the latest per stream is kept: a gateway
 * that has fallen this far behind sends every client the newest quote rather than the backlog.
 */
export const FEED_MAX_WAIT_MS = 500;
