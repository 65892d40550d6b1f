import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { barChannel, quoteChannel } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { outboxWriter } from '../connections/outbox-writer.js';
import { textFrame } from '../connections/text-frame.js';
import { ChannelSubscription } from './channel-subscription.js';
import { FanOutBacklog, type FanOutItem } from './fan-out-backlog.js';
import { FEED_MAX_WAIT_MS, FEED_MAX_WAITING, FEED_SUBSCRIBER } from './feed.constants.js';
import { FeedTrace } from './feed-trace.js';
import { BAR_HEAD, seqOf, UPDATE_HEAD } from './server-frames.js';
import type { FeedSubscriber } from './feed-subscriber.js';

/**
 * Who gets a stream's updates: the subscriptions, which hand each to the stream's clients. `closes` marks
 * the frame that closes a bar: the bar's final values, never replaced by a later frame.
 */
export interface FeedSink {
  deliver(key: string, seq: number, frame: Buffer, closes: boolean): boolean;
}

const CLOSED = '"closed":true';

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2000;

/** Where a channel's messages go: the stream key subscribers are indexed by, and the frame head. */
interface Route {
  key: string;
  head: string;
}

/**
 * The gateway's Redis pub/sub: one connection to the single server, or one per shard of a cluster (see
 * FeedSubscriber). It keeps a channel per stream that someone wants (a symbol's quotes, keyed `AAPL`,
 * or its bars of an interval, keyed `1m:AAPL`; see ChannelSubscription), and hands each message on, as it
 * is read, as one WebSocket frame built once and shared by every subscriber (each client's outbox queues
 * it and writes once per turn). A gateway with more updates than it can hand on (thousands of clients at
 * many times the rate) keeps reading Redis all the same: past a budget per turn, which fan-out and the
 * outboxes' writes spend together (DeliveryTurn), messages wait in a backlog that is cut to the latest
 * per stream when it grows too old or too long (FanOutBacklog), so the cost of falling behind is paid
 * once per stream, not once per client, and Redis never cuts the feed. It re-subscribes every wanted
 * channel itself after a connection or a shard is lost rather than trusting ioredis, which restores only
 * the channels whose SUBSCRIBE it saw confirmed and does not report a failed re-subscription.
 *
 * A stream's updates are fanned out newest-seq-wins, as the processor stores them: after a Redis
 * failover the promoted replica may lack the last writes it was not sent, and a retried batch is then
 * published again; the feed drops what is older than what it already sent, so no client sees a seq go
 * backwards (a bar closed by a batch carries the seq of the current bar sent before it: equal passes).
 */
@Injectable()
export class QuoteFeed implements OnApplicationShutdown {
  private readonly logger = new Logger(QuoteFeed.name);
  private readonly channels = new Map<string, ChannelSubscription>();
  private readonly routes = new Map<string, Route>();
  /** Newest seq fanned out per stream, for the newest-seq-wins rule; forgotten with the channel. */
  private readonly newest = new Map<string, number>();
  private sink: FeedSink | null = null;
  readonly backlog = new FanOutBacklog((item) => this.fanOut(item), { turn: outboxWriter.turn, maxWaiting: FEED_MAX_WAITING, maxWaitMs: FEED_MAX_WAIT_MS });
  received = 0;
  subscribeRetries = 0;
  /** Messages dropped for a seq older than one already fanned out (a Redis failover replaying writes). */
  staleDropped = 0;

  constructor(
    @Inject(redisConfig.KEY) private readonly config: Pick<RedisConfig, 'keyPrefix'>,
    @Inject(FEED_SUBSCRIBER) readonly subscriber: FeedSubscriber,
    private readonly trace: FeedTrace,
  ) {
    subscriber.listen({
      message: (channel, json) => this.receive(channel, json),
      lost: (affected) => this.channels.forEach((c) => affected(c.channel) && c.connectionLost()),
      resubscribe: () => this.channels.forEach((c) => c.resubscribe()),
    });
  }

  /** Channels kept for wanted symbols, in any state. */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Where messages go from now on (one sink: the subscriptions). */
  deliverTo(sink: FeedSink): void {
    this.sink = sink;
  }

  /**
   * The newest seq fanned out for `key` (-1: none yet). Newest-seq-wins: no message at or below it is
   * handed on any more, except a bar frame at it (a bar closing under its last tick's seq).
   */
  newestSeq(key: string): number {
    return this.newest.get(key) ?? -1;
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
      const route = this.routeOf(key);
      channel = new ChannelSubscription(route.channel, this.subscriber, {
        retryDelayMs: (attempt) => Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS),
        onRetry: (name, err, attempt) => {
          this.subscribeRetries++;
          if (attempt === 1) this.logger.warn(`SUBSCRIBE ${name} failed, retrying until it succeeds: ${err.message}`);
        },
        onIdle: () => {
          if (this.channels.get(key) !== channel || channel!.state !== 'idle' || channel!.isWanted) return;
          this.channels.delete(key);
          this.routes.delete(route.channel);
          this.newest.delete(key);
        },
      });
      this.channels.set(key, channel);
      this.routes.set(route.channel, { key, head: route.head });
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
    await this.subscriber.close();
  }

  /** `AAPL` -> the symbol's quote channel, `1m:AAPL` -> its 1-minute bar channel. */
  private routeOf(key: string): { channel: string; head: string } {
    const colon = key.indexOf(':');
    if (colon < 0) return { channel: quoteChannel(this.config.keyPrefix, key), head: UPDATE_HEAD };
    return { channel: barChannel(this.config.keyPrefix, key.slice(0, colon), key.slice(colon + 1)), head: BAR_HEAD };
  }

  private receive(channel: string, json: string): void {
    this.received++;
    const route = this.routes.get(channel);
    if (!route) return;
    if (route.head === UPDATE_HEAD) this.trace.read(json);
    this.backlog.push({ key: route.key, head: route.head, json, keep: route.head === BAR_HEAD && json.includes(CLOSED) });
  }

  /** One frame built once for every subscriber of the stream. */
  private fanOut({ key, head, json, keep: closes }: FanOutItem): void {
    const seq = seqOf(json);
    const newest = this.newest.get(key) ?? -1;
    if (seq < newest || (seq === newest && head === UPDATE_HEAD)) {
      this.staleDropped++;
      return;
    }
    this.newest.set(key, seq);
    const delivered = this.sink?.deliver(key, seq, textFrame(head + json + '}'), closes === true) ?? false;
    if (delivered && head === UPDATE_HEAD) this.trace.fannedOut(json);
  }
}
