import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '#app/config';
import type { RedisClient } from './redis-client.js';

/** What a connection is for: commands and scripts, or the gateway's pub/sub feed. */
export type RedisRole = 'commands' | 'subscriber';

const backOff = (attempt: number) => Math.min(100 * attempt, 2000);
const SLOTS_REFRESH_MS = 2000;

/**
 * Builds an ioredis connection that reconnects forever with capped back-off and logs state changes once,
 * not once per failed attempt. `name` shows up in CLIENT LIST and in the logs.
 *
 * With REDIS_CLUSTER_NODES it is a Cluster client: commands go to the master of their slot and follow
 * slot moves and failovers (MOVED, and the slot table read again every SLOTS_REFRESH_MS, which ioredis
 * does not do by default); a `subscriber` gets one sharded subscriber connection per master (SSUBSCRIBE).
 * A `subscriber` on the single server does not re-subscribe by itself: the gateway's feed re-subscribes
 * its channels (see QuoteFeed).
 *
 * The gateway reads a snapshot as one command per key (a cluster cannot pipeline across nodes). On the
 * single server, auto-pipelining writes the commands of one tick together. Not on a cluster: ioredis
 * fails a whole auto-pipeline whose writes got MOVED for different slots (as after a failover) without
 * following the redirection, so each command is sent, and redirected, on its own.
 */
export function createRedisClient(config: RedisConfig, name: string, role: RedisRole = 'commands'): RedisClient {
  const logger = new Logger(`Redis:${name}`);
  const options: RedisOptions = { connectionName: name, maxRetriesPerRequest: 3 };
  const client: RedisClient = config.clusterNodes
    ? new Cluster(config.clusterNodes, {
        redisOptions: options,
        clusterRetryStrategy: backOff,
        slotsRefreshInterval: SLOTS_REFRESH_MS,
        shardedSubscribers: role === 'subscriber',
      })
    : new Redis(config.url, {
        ...options,
        retryStrategy: backOff,
        enableAutoPipelining: role === 'commands',
        autoResubscribe: role !== 'subscriber',
      });
  let down = false;
  client.on('ready', () => {
    if (down) logger.log('reconnected');
    down = false;
  });
  client.on('error', (err: Error) => {
    if (!down) logger.warn(`connection error: ${err.message}`);
    down = true;
  });
  // A cluster node failing (a master killed before its replica takes over) is not the cluster failing.
  client.on('node error', (err: Error, node: string) => logger.warn(`node ${node}: ${err.message}`));
  return client;
}
