import type { Cluster } from 'ioredis';
import { slotOf } from '#app/redis';
import { EVERY_CHANNEL, type FeedListener, type FeedSubscriber } from './feed-subscriber.js';

/**
 * Sharded pub/sub on a Redis Cluster (SSUBSCRIBE): ioredis keeps one subscriber connection per master
 * and sends each SSUBSCRIBE to the master of the channel's slot, so a message travels only within its
 * shard. The events below are ioredis's (cluster with `shardedSubscribers`):
 * - `-node` with a node key: that master's subscriber connection ended (the master died, or it lost its
 *   slots): its channels are lost, and re-subscribed at once; the SSUBSCRIBE fails and is retried with
 *   back-off until the cluster has promoted the replica and ioredis has a subscriber for it.
 * - `subscribersReady`: ioredis has rebuilt its subscribers after a change of topology (a failover, slots
 *   moved) and re-sent the SSUBSCRIBEs it knew of, without reporting failures: every channel counts as
 *   lost and is subscribed again, each confirmed by its own reply.
 * - `close` / `ready`: the whole cluster connection dropped / came back.
 */
export class ShardedFeedSubscriber implements FeedSubscriber {
  constructor(private readonly cluster: Cluster) {}

  get status(): string {
    return this.cluster.status;
  }

  listen(listener: FeedListener): void {
    this.cluster.on('smessage', (channel: string, message: string) => listener.message(channel, message));
    this.cluster.on('-node', (_redis: unknown, nodeKey?: string) => {
      // The command connections' `-node` carries no node key: those hold no subscriptions.
      if (typeof nodeKey !== 'string') return;
      listener.lost((channel) => this.masterOf(channel) === nodeKey);
      listener.resubscribe();
    });
    this.cluster.on('subscribersReady', () => {
      listener.lost(EVERY_CHANNEL);
      listener.resubscribe();
    });
    this.cluster.on('close', () => listener.lost(EVERY_CHANNEL));
    this.cluster.on('ready', () => listener.resubscribe());
  }

  subscribe(channel: string): Promise<unknown> {
    return this.cluster.ssubscribe(channel);
  }

  unsubscribe(channel: string): Promise<unknown> {
    return this.cluster.sunsubscribe(channel);
  }

  async close(): Promise<void> {
    await this.cluster.quit().catch(() => this.cluster.disconnect());
  }

  /** `host:port` of the master that serves the channel's slot, as the cluster client last saw it. */
  private masterOf(channel: string): string | undefined {
    return this.cluster.slots[slotOf(channel)]?.[0];
  }
}
