import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { quoteChannel, symbolOfChannel } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import { ChannelSubscription } from './channel-subscription.js';
import { FEED_SUBSCRIBER } from './feed.constants.js';

const UPDATE_HEAD = '{"type":"update","payload":';
const SEQ = /"seq":(\d+)/;
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2000;

/**
 * The gateway's one Redis pub/sub connection. It keeps a channel per symbol that someone wants (see
 * ChannelSubscription), and fans each quote out as one frame built once and shared by every
 * subscriber. It re-subscribes every wanted channel itself after a reconnect rather than trusting
 * ioredis, which restores only the channels whose SUBSCRIBE it saw confirmed.
 */
@Injectable()
export class QuoteFeed implements OnApplicationShutdown {
  private readonly logger = new Logger(QuoteFeed.name);
  private readonly channels = new Map<string, ChannelSubscription>();
  received = 0;
  subscribeRetries = 0;

  constructor(
    @Inject(redisConfig.KEY) private readonly config: Pick<RedisConfig, 'keyPrefix'>,
    readonly index: SubscriptionIndex,
    @Inject(FEED_SUBSCRIBER) readonly subscriber: Redis,
  ) {
    this.subscriber.on('message', (channel: string, quote: string) => this.fanOut(channel, quote));
    this.subscriber.on('close', () => this.channels.forEach((c) => c.connectionLost()));
    this.subscriber.on('ready', () => this.channels.forEach((c) => c.resubscribe()));
  }

  /** Channels kept for wanted symbols, in any state. */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Wanted channels not live yet: waiting for a SUBSCRIBE or for Redis to come back. */
  get pendingCount(): number {
    let pending = 0;
    for (const channel of this.channels.values()) if (channel.isWanted && channel.state !== 'live') pending++;
    return pending;
  }

  /** Keeps the symbol's channel subscribed; resolves once it is live, so a snapshot read after it misses no update. */
  want(symbol: string): Promise<void> {
    let channel = this.channels.get(symbol);
    if (!channel) {
      channel = new ChannelSubscription(quoteChannel(this.config.keyPrefix, symbol), this.subscriber, {
        retryDelayMs: (attempt) => Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS),
        onRetry: (name, err, attempt) => {
          this.subscribeRetries++;
          if (attempt === 1) this.logger.warn(`SUBSCRIBE ${name} failed, retrying until it succeeds: ${err.message}`);
        },
        onIdle: () => {
          if (this.channels.get(symbol) === channel && channel!.state === 'idle' && !channel!.isWanted) this.channels.delete(symbol);
        },
      });
      this.channels.set(symbol, channel);
    }
    return channel.want();
  }

  /** Nobody wants the symbol any more: unsubscribe, unless someone wants it again meanwhile. */
  release(symbol: string): void {
    this.channels.get(symbol)?.release();
  }

  /** Resolves once every given symbol's channel is live (at once for symbols not kept here). */
  async whenLive(symbols: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const symbol of symbols) {
      const channel = this.channels.get(symbol);
      if (channel && channel.state !== 'live') waits.push(channel.live);
    }
    await Promise.all(waits);
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
