import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { quoteChannel, symbolOfChannel } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { createRedisClient } from '#app/redis';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';

const UPDATE_HEAD = '{"type":"update","payload":';
const SEQ = /"seq":(\d+)/;

/**
 * The gateway's one Redis pub/sub connection. It listens to a symbol's channel only while the index
 * has a subscriber for it, and fans each quote out as one frame built once and shared by all of them.
 * ioredis re-subscribes the channels by itself after a reconnect.
 */
@Injectable()
export class QuoteFeed implements OnApplicationShutdown {
  private readonly logger = new Logger(QuoteFeed.name);
  readonly subscriber: Redis;
  received = 0;

  constructor(
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
    readonly index: SubscriptionIndex,
  ) {
    this.subscriber = createRedisClient(config, 'feed');
    this.subscriber.on('message', (channel: string, quote: string) => this.fanOut(channel, quote));
  }

  /** Resolves once Redis confirms the channel, so a snapshot read after it misses no update. */
  listen(symbol: string): Promise<unknown> {
    return this.subscriber.subscribe(quoteChannel(this.config.keyPrefix, symbol));
  }

  unlisten(symbol: string): void {
    this.subscriber.unsubscribe(quoteChannel(this.config.keyPrefix, symbol)).catch((err: Error) => {
      this.logger.warn(`unsubscribe ${symbol} failed: ${err.message}`);
    });
  }

  async onApplicationShutdown() {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private fanOut(channel: string, quote: string): void {
    this.received++;
    const symbol = symbolOfChannel(this.config.keyPrefix, channel);
    const sessions = symbol === undefined ? undefined : this.index.subscribers(symbol);
    if (!sessions) return;
    const seq = Number(SEQ.exec(quote)?.[1] ?? -1);
    const frame = Buffer.from(UPDATE_HEAD + quote + '}');
    for (const session of sessions) session.deliver(symbol!, seq, frame);
  }
}
