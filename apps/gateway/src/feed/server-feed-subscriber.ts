import type { Redis } from 'ioredis';
import { EVERY_CHANNEL, type FeedListener, type FeedSubscriber } from './feed-subscriber.js';

/**
 * Pub/sub on the single Redis server: one connection (autoResubscribe off) whose drop loses every
 * subscription and whose `ready` is the moment to subscribe again.
 */
export class ServerFeedSubscriber implements FeedSubscriber {
  constructor(private readonly redis: Redis) {}

  get status(): string {
    return this.redis.status;
  }

  listen(listener: FeedListener): void {
    this.redis.on('message', (channel: string, message: string) => listener.message(channel, message));
    this.redis.on('close', () => listener.lost(EVERY_CHANNEL));
    this.redis.on('ready', () => listener.resubscribe());
  }

  subscribe(channel: string): Promise<unknown> {
    return this.redis.subscribe(channel);
  }

  unsubscribe(channel: string): Promise<unknown> {
    return this.redis.unsubscribe(channel);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
