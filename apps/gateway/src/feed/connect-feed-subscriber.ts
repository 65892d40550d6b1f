import type { RedisConfig } from '#app/config';
import { createRedisClient, isCluster, type RedisClient } from '#app/redis';
import type { FeedSubscriber } from './feed-subscriber.js';
import { ServerFeedSubscriber } from './server-feed-subscriber.js';
import { ShardedFeedSubscriber } from './sharded-feed-subscriber.js';

/**
 * The feed's pub/sub connection read on the calling thread: the single server's, or a cluster's sharded
 * one. The gateway's thread calls it with GATEWAY_FEED_THREAD=false, the feed reader thread otherwise.
 * The feed re-subscribes its channels itself after a reconnect (see QuoteFeed). The client comes along
 * for its connection events.
 */
export function connectFeedSubscriber(config: RedisConfig): { client: RedisClient; subscriber: FeedSubscriber } {
  const client = createRedisClient(config, 'feed', 'subscriber');
  return { client, subscriber: isCluster(client) ? new ShardedFeedSubscriber(client) : new ServerFeedSubscriber(client) };
}
