/** Injection token: the gateway's Redis pub/sub (a FeedSubscriber: the single server, or a cluster's shards). */
export const FEED_SUBSCRIBER = Symbol('FEED_SUBSCRIBER');

/** Waiting messages (about 10 MB of quotes) past which only the latest per stream is kept. */
export const FEED_MAX_WAITING = 50_000;
/**
 * Half of issue 11's bound: every client on each symbol's latest quote within 1 s of the last one
 * published. After the last message a backlog can wait this long before it is cut to the latest per
 * stream, and the clients still have to read it; at 1000 ms the bound could not hold.
 */
export const FEED_MAX_WAIT_MS = 500;
