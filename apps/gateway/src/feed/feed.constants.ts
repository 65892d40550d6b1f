/** Injection token: the gateway's Redis pub/sub (a FeedSubscriber: the single server, or a cluster's shards). */
export const FEED_SUBSCRIBER = Symbol('FEED_SUBSCRIBER');
