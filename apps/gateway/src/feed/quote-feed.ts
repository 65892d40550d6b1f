import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { barChannel, quoteChannel } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import { ChannelSubscription } from './channel-subscription.js';
import { FanOutBacklog, type FanOutItem } from './fan-out-backlog.js';
import { FEED_SUBSCRIBER } from './feed.constants.js';

const UPDATE_HEAD = '{"type":"update","payload":';
const BAR_HEAD = '{"type":"bar","payload":';
const SEQ = /"seq":(\d+)/;
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2000;
/** Fan-out time per turn of the event loop before messages wait for a later turn (see FanOutBacklog). */
const FAN_OUT_BUDGET_MS = 50;
/** Waiting messages (about 10 MB of quotes), or a wait, past which only the latest per stream is kept. */
const MAX_WAITING_MESSAGES = 50_000;
const MAX_WAIT_MS = 1000;

/**
 * The gateway's one Redis pub/sub connection. It keeps a channel per stream that someone wants (a
 * symbol's quotes, keyed `AAPL`, or its bars of an interval, keyed `1m:AAPL`; see ChannelSubscription),
 * and fans each message out as one frame built once and shared by every subscriber. It re-subscribes every wanted channel itself after a reconnect rather than trusting
 * ioredis, which restores only the channels whose SUBSCRIBE it saw confirmed.
 */
@Injectable()
export class QuoteFeed implements OnApplicationShutdown {
  private readonly logger = new Logger(QuoteFeed.name);
  private readonly channels = new Map<string, ChannelSubscription>();
  private readonly quotesHead: string;
  private readonly barsHead: string;
  /** Queues, then conflates per stream, when fan-out falls behind, so the Redis connection is always read. */
  readonly backlog = new FanOutBacklog((item) => this.fanOut(item), { budgetMs: FAN_OUT_BUDGET_MS, maxWaiting: MAX_WAITING_MESSAGES, maxWaitMs: MAX_WAIT_MS });
  received = 0;
  subscribeRetries = 0;

  constructor(
    @Inject(redisConfig.KEY) private readonly config: Pick<RedisConfig, 'keyPrefix'>,
    readonly index: SubscriptionIndex,
    @Inject(FEED_SUBSCRIBER) readonly subscriber: Redis,
  ) {
    this.quotesHead = quoteChannel(config.keyPrefix, '');
    this.barsHead = barChannel(config.keyPrefix, '', '').slice(0, -1);
    this.subscriber.on('message', (channel: string, json: string) => this.receive(channel, json));
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

  /** Keeps the stream's channel subscribed; resolves once it is live, so a snapshot read after it misses no update. */
  want(key: string): Promise<void> {
    let channel = this.channels.get(key);
    if (!channel) {
      channel = new ChannelSubscription(this.channelOf(key), this.subscriber, {
        retryDelayMs: (attempt) => Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS),
        onRetry: (name, err, attempt) => {
          this.subscribeRetries++;
          if (attempt === 1) this.logger.warn(`SUBSCRIBE ${name} failed, retrying until it succeeds: ${err.message}`);
        },
        onIdle: () => {
          if (this.channels.get(key) === channel && channel!.state === 'idle' && !channel!.isWanted) this.channels.delete(key);
        },
      });
      this.channels.set(key, channel);
    }
    return channel.want();
  }

  /** Nobody wants the stream any more: unsubscribe, unless someone wants it again meanwhile. */
  release(key: string): void {
    this.channels.get(key)?.release();
  }

  /** Resolves once every given stream's channel is live (at once for streams not kept here). */
  async whenLive(keys: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const key of keys) {
      const channel = this.channels.get(key);
      if (channel && channel.state !== 'live') waits.push(channel.live);
    }
    await Promise.all(waits);
  }

  async onApplicationShutdown() {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  /** `AAPL` -> the symbol's quote channel, `1m:AAPL` -> its 1-minute bar channel. */
  private channelOf(key: string): string {
    const colon = key.indexOf(':');
    return colon < 0 ? this.quotesHead + key : this.barsHead + key;
  }

  private receive(channel: string, json: string): void {
    this.received++;
    if (channel.startsWith(this.quotesHead)) {
      this.backlog.push({ key: channel.slice(this.quotesHead.length), head: UPDATE_HEAD, json });
    } else if (channel.startsWith(this.barsHead)) {
      this.backlog.push({ key: channel.slice(this.barsHead.length), head: BAR_HEAD, json });
    }
  }

  /** One frame built once for every subscriber of the stream. */
  private fanOut({ key, head, json }: FanOutItem): void {
    const sessions = this.index.subscribers(key);
    if (!sessions) return;
    const seq = Number(SEQ.exec(json)?.[1] ?? -1);
    const frame = Buffer.from(head + json + '}');
    for (const session of sessions) session.deliver(key, seq, frame);
  }
}
