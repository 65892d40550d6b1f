import { Cluster, Redis } from 'ioredis';
import { slotOf } from '#app/redis';
import { localInfra, reservePorts } from './local-infra.js';

/** A node as CLUSTER NODES shows it. */
export interface ClusterNodeInfo {
  port: number;
  role: 'master' | 'replica';
  failed: boolean;
  /** `start-end` ranges a master serves. */
  slots: Array<[number, number]>;
}

/**
 * A Redis Cluster of its own for a test (three masters, a replica each, on free ports, started by
 * scripts/infra.mjs), and what a test asks of it: who serves a key, killing a master, a client.
 */
export class TestRedisCluster {
  private readonly clients: Array<Cluster | Redis> = [];

  private constructor(
    readonly port: number,
    /** REDIS_CLUSTER_NODES for the apps. */
    readonly nodes: string,
  ) {}

  static async start(): Promise<TestRedisCluster> {
    const port = await reservePorts(12, 'CLUSTER_REDIS_PORT');
    const { nodes } = await (await localInfra()).startRedisCluster({ redisClusterPort: port });
    return new TestRedisCluster(port, nodes);
  }

  /** A cluster client for checks (errors while a node is down are expected and ignored). */
  client(): Cluster {
    const client = new Cluster(this.nodes.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })), {
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    client.on('error', () => undefined);
    this.clients.push(client);
    return client;
  }

  /** A plain connection to one node (CLUSTER NODES, PUBSUB SHARDNUMSUB, ...). */
  node(port: number): Redis {
    const node = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => null });
    node.on('error', () => undefined);
    this.clients.push(node);
    return node;
  }

  /** CLUSTER NODES as seen from a node that answers. */
  async topology(askPort?: number): Promise<ClusterNodeInfo[]> {
    const ports = askPort ? [askPort] : Array.from({ length: 6 }, (_, i) => this.port + i);
    for (const port of ports) {
      const node = this.node(port);
      try {
        const text = (await node.call('CLUSTER', 'NODES')) as string;
        return text.trim().split('\n').map(parseNode);
      } catch {
        // this one is down; ask the next
      } finally {
        node.disconnect();
      }
    }
    throw new Error('no node of the cluster answers');
  }

  /** The port of the master that serves `key`'s slot, per the cluster's current view. */
  async masterOf(key: string, askPort?: number): Promise<number> {
    const slot = slotOf(key);
    const master = (await this.topology(askPort)).find((n) => n.role === 'master' && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!master) throw new Error(`no live master serves slot ${slot} (${key})`);
    return master.port;
  }

  async kill(port: number): Promise<void> {
    await (await localInfra()).stopRedisClusterNode(port, { redisClusterPort: this.port, signal: 'SIGKILL' });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    await (await localInfra()).stopRedisCluster({ redisClusterPort: this.port });
  }
}

function parseNode(line: string): ClusterNodeInfo {
  const [, address, flags, , , , , , ...slots] = line.trim().split(' ');
  const list = flags.split(',');
  return {
    port: Number(address.split('@')[0].split(':').pop()),
    role: list.includes('master') ? 'master' : 'replica',
    failed: list.includes('fail') || list.includes('fail?'),
    slots: slots.filter((s) => !s.startsWith('[')).map((s) => {
      const [a, b] = s.split('-').map(Number);
      return [a, b ?? a] as [number, number];
    }),
  };
}
