import type { RedisConfig } from '#app/config';
import { createRedisClient, isCluster } from '#app/redis';
import type { FeedSubscriber } from './feed-subscriber.js';
import { ServerFeedSubscriber } from './server-feed-subscriber.js';
import { ShardedFeedSubscriber } from './sharded-feed-subscriber.js';

/**
 * The feed's pub/sub connection: the single server's, or a cluster's sharded one. The feed re-subscribes
 * its channels itself after a reconnect (see QuoteFeed).
 */
export function connectFeedSubscriber(config: RedisConfig): FeedSubscriber {
  const client = createRedisClient(config, 'feed', 'subscriber');
  return isCluster(client) ? new ShardedFeedSubscriber(client) : new ServerFeedSubscriber(client);
}
