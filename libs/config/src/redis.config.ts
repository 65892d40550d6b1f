import { registerAs } from '@nestjs/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { ConfigValidationError, validateEnv } from './validate-env.js';

/** A Redis Cluster node a client starts from; the rest of the cluster it learns from CLUSTER SLOTS. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

const MAX_CLUSTER_NODES = 64;

export class RedisEnv {
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must look like redis://host:port[/db]' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /**
   * Comma-separated host:port of some Redis Cluster nodes. When set, the apps use the cluster
   * (sharded pub/sub, one script call per slot) and REDIS_URL is not read.
   */
  @Matches(/^$|^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port' })
  REDIS_CLUSTER_NODES: string = '';

  @Matches(/^[A-Za-z0-9:._-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits and : . _ - (at most 64)' })
  REDIS_KEY_PREFIX: string = 'watchlist:';

  @IsInt() @Min(1) @Max(30 * 86_400)
  QUOTE_TTL_SECONDS: number = 86_400;
}

/** `host:port,host:port` -> addresses, or null when empty; throws ConfigValidationError naming the bad entry. */
export function parseClusterNodes(list: string): RedisNodeAddress[] | null {
  if (list.trim() === '') return null;
  const entries = list.split(',');
  if (entries.length > MAX_CLUSTER_NODES) {
    throw new ConfigValidationError(`Invalid environment configuration:\n  REDIS_CLUSTER_NODES: at most ${MAX_CLUSTER_NODES} nodes, got ${entries.length}`);
  }
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(':');
    const host = entry.slice(0, colon);
    const port = Number(entry.slice(colon + 1));
    if (colon <= 0 || !/^[A-Za-z0-9.-]+$/.test(host) || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ConfigValidationError(
        `Invalid environment configuration:\n  REDIS_CLUSTER_NODES=${JSON.stringify(list)}: "${entry}" is not host:port (port 1-65535)`,
      );
    }
    return { host, port };
  });
}

export const redisConfig = registerAs('redis', () => {
  const env = validateEnv(RedisEnv);
  return {
    url: env.REDIS_URL,
    /** Redis Cluster start-up nodes, or null for the single server at `url`. */
    clusterNodes: parseClusterNodes(env.REDIS_CLUSTER_NODES),
    keyPrefix: env.REDIS_KEY_PREFIX,
    quoteTtlMs: env.QUOTE_TTL_SECONDS * 1000,
  };
});
export type RedisConfig = ReturnType<typeof redisConfig>;
