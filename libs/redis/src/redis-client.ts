import type { Cluster, Redis } from 'ioredis';

/**
 * A connection to the single Redis server or to a Redis Cluster (REDIS_CLUSTER_NODES). Both speak the
 * same commands; what differs is that in a cluster every command, script and pipeline must keep to one
 * slot (see the hash tags in #app/contracts) and pub/sub is sharded.
 */
export type RedisClient = Redis | Cluster;

/** True for a Redis Cluster client. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}
