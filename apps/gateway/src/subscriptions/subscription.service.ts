import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SYMBOL_PATTERN, WsErrorCode, type Quote, type Recovery } from '#app/contracts';
import { gatewayConfig, marketConfig, type GatewayConfig, type MarketConfig } from '#app/config';
import type { ClientSession } from '../connections/client-session.js';
import { BarReader } from '../feed/bar-reader.js';
import { HistoryReader } from '../feed/history-reader.js';
import { QuoteFeed } from '../feed/quote-feed.js';
import { QuoteReader } from '../feed/quote-reader.js';
import { BAR_HEAD, UPDATE_HEAD } from '../feed/server-frames.js';
import type { BarsData, SubscribeData } from '../ws/client-frame.parser.js';
import { barKey, SubscriptionIndex } from './subscription-index.js';
import { CHANNEL_WAIT_MS, DEFAULT_CHANNEL_WAIT_MS } from './subscriptions.constants.js';


/**
 * Subscribe and unsubscribe as the WebSocket contract defines them. The order inside a subscribe is
 * what keeps the stream gap-free: index the session (so updates start reaching it, held), wait until
 * every channel is live in Redis, read the snapshot (or what the client missed since its last seq),
 * send it, then release the held updates newer than it. Every step after an await first checks that
 * the session is still open.
 */
@Injectable()
export class SubscriptionService {
  private readonly logger = new Logger(SubscriptionService.name);
  private readonly universe: Set<string>;

  constructor(
    private readonly index: SubscriptionIndex,
    private readonly feed: QuoteFeed,
    private readonly reader: QuoteReader,
    private readonly history: HistoryReader,
    private readonly bars: BarReader,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfig,
    @Inject(marketConfig.KEY) market: MarketConfig,
    @Optional() @Inject(CHANNEL_WAIT_MS) private readonly channelWaitMs: number = DEFAULT_CHANNEL_WAIT_MS,
  ) {
    this.universe = new Set(market.symbols.map((s) => s.symbol));
  }

  /** Acknowledges the valid symbols, reports the others, then sends a snapshot (or a replay) of the newly added ones. */
  async subscribe(session: ClientSession, request: Pick<SubscribeData, 'symbols'> & Partial<SubscribeData>): Promise<void> {
    if (!session.isActive) return;
    const symbols = this.acceptable(session, request.symbols);
    if (symbols.length === 0) return;
    const added = symbols.filter((s) => !session.symbols.has(s));
    if (!this.hasRoom(session, session.symbols.size, added)) return;
    for (const symbol of symbols) session.setThrottle(symbol, request.throttleMs ?? 0);
    session.hold();
    for (const symbol of added) {
      if (this.index.add(symbol, session)) void this.feed.want(symbol);
    }
    session.send({ type: 'subscribed', payload: { symbols } });
    const since = new Map([...(request.since ?? [])].filter(([symbol]) => added.includes(symbol)));
    await this.whenLive(session, added, () => this.sendSnapshot(session, added, since));
  }

  /**
   * Acknowledges every requested symbol, held or not: none of them is subscribed now. A client that sent
   * the unsubscribe again after RATE_LIMITED (it cannot know whether its subscribe got through) learns
   * from the acknowledgement that it is done.
   */
  unsubscribe(session: ClientSession, requested: string[]): void {
    for (const symbol of requested) {
      if (session.symbols.has(symbol)) this.drop(session, symbol, session.symbols);
    }
    session.send({ type: 'unsubscribed', payload: { symbols: requested } });
  }

  /** Acknowledges the valid symbols, then sends the current bar of each new one; `bar` frames follow on every change. */
  async subscribeBars(session: ClientSession, { symbols: requested, interval }: BarsData): Promise<void> {
    if (!session.isActive) return;
    const symbols = this.acceptable(session, requested);
    if (symbols.length === 0) return;
    const added = symbols.filter((s) => !session.bars.has(barKey(interval, s)));
    if (!this.hasRoom(session, session.bars.size, added)) return;
    const keys = added.map((s) => barKey(interval, s));
    session.hold();
    for (const key of keys) {
      if (this.index.add(key, session, session.barSet())) void this.feed.want(key);
    }
    session.send({ type: 'barsSubscribed', payload: { symbols, interval } });
    await this.whenLive(session, keys, async () => {
      const seqs = new Map<string, number>();
      try {
        const current = await this.bars.current(interval, added.filter((s) => session.bars.has(barKey(interval, s))));
        if (!session.isActive) return;
        for (const bar of current) {
          seqs.set(barKey(interval, bar.symbol), bar.seq);
          session.sendFrame(Buffer.from(BAR_HEAD + bar.json + '}'));
        }
      } catch (err) {
        this.failedRead(session, 'Current bars', err, added);
      } finally {
        session.release(seqs);
      }
    });
  }

  /** Acknowledges every requested symbol, held or not, as unsubscribe does. */
  unsubscribeBars(session: ClientSession, { symbols, interval }: BarsData): void {
    for (const symbol of symbols) {
      const key = barKey(interval, symbol);
      if (session.bars.has(key)) this.drop(session, key, session.barSet());
    }
    session.send({ type: 'barsUnsubscribed', payload: { symbols, interval } });
  }

  /** Forgets a closed session everywhere; the caller has closed it, so no later step adds it back. */
  disconnect(session: ClientSession): void {
    for (const symbol of [...session.symbols]) this.drop(session, symbol, session.symbols);
    for (const key of [...session.bars]) this.drop(session, key, session.barSet());
  }

  /**
   * Runs `send` once every channel is live. If that takes longer than the wait allows (Redis away),
   * the client hears FEED_UNAVAILABLE now, its next requests run, and `send` runs when the feed is back.
   */
  private async whenLive(session: ClientSession, keys: string[], send: () => Promise<void>): Promise<void> {
    const live = await this.waitForChannels(keys);
    if (!session.isActive) return;
    if (live) return send();
    session.release(new Map());
    session.send({
      type: 'error',
      payload: {
        code: WsErrorCode.FEED_UNAVAILABLE,
        message: 'The market data feed is reconnecting; snapshot and updates follow once it is back',
        symbols: keys,
      },
    });
    void this.feed.whenLive(keys).then(() =>
      session.enqueue(async () => {
        session.hold();
        await send();
      }),
    );
  }

  /**
   * Sends the snapshot of those `symbols` the session still has; for the ones in `since`, the quotes
   * it missed instead when history reaches back (replayed as updates right after the snapshot). Held
   * updates not newer than what was sent are dropped on release.
   */
  private async sendSnapshot(session: ClientSession, symbols: string[], since: Map<string, number>): Promise<void> {
    const wanted = symbols.filter((s) => session.symbols.has(s));
    const seqs = new Map<string, number>();
    try {
      if (wanted.length === 0) return;
      const plain = wanted.filter((s) => !since.has(s));
      const [latest, missed] = await Promise.all([this.reader.latest(plain), this.history.missedSince(since)]);
      if (!session.isActive) return;
      const quotes: Quote[] = latest.filter((q) => session.symbols.has(q.symbol));
      const recovery: Record<string, Recovery> = {};
      const replay: Buffer[] = [];
      for (const result of missed) {
        if (!session.symbols.has(result.symbol)) continue;
        recovery[result.symbol] = { recovered: result.recovered, replayed: result.missed.length };
        if (result.recovered) {
          for (const { json } of result.missed) replay.push(Buffer.from(UPDATE_HEAD + json + '}'));
          seqs.set(result.symbol, Math.max(since.get(result.symbol)!, result.missed.at(-1)?.seq ?? -1));
        } else if (result.latest) {
          quotes.push(result.latest);
        }
      }
      for (const quote of quotes) seqs.set(quote.symbol, quote.seq);
      session.send({ type: 'snapshot', payload: since.size > 0 ? { quotes, recovery } : { quotes } });
      for (const frame of replay) session.sendFrame(frame);
    } catch (err) {
      this.failedRead(session, 'Snapshot', err, wanted);
    } finally {
      session.release(seqs);
    }
  }

  private failedRead(session: ClientSession, what: string, err: unknown, symbols: string[]): void {
    this.logger.warn(`${what} for session ${session.id} failed: ${(err as Error).message}`);
    session.send({
      type: 'error',
      payload: { code: WsErrorCode.INTERNAL_ERROR, message: `${what} unavailable, updates follow: ${(err as Error).message}`, symbols },
    });
  }

  /** True once every channel is live, false if that takes longer than the wait allows. */
  private async waitForChannels(keys: string[]): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, this.channelWaitMs, false)));
    try {
      return await Promise.race([this.feed.whenLive(keys).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private hasRoom(session: ClientSession, held: number, added: string[]): boolean {
    if (held + added.length <= this.config.maxSymbolsPerConnection) return true;
    session.send({
      type: 'error',
      payload: {
        code: WsErrorCode.TOO_MANY_SYMBOLS,
        message: `At most ${this.config.maxSymbolsPerConnection} symbols per connection; ${held} already subscribed`,
        symbols: added,
      },
    });
    return false;
  }

  private drop(session: ClientSession, key: string, keys: Set<string>): void {
    session.forgetThrottle(key);
    if (this.index.remove(key, session, keys)) this.feed.release(key);
  }

  /** The requested symbols that are well-formed and traded; an error frame names the others. */
  private acceptable(session: ClientSession, requested: string[]): string[] {
    const malformed = requested.filter((s) => !SYMBOL_PATTERN.test(s));
    const unknown = requested.filter((s) => SYMBOL_PATTERN.test(s) && !this.universe.has(s));
    if (malformed.length > 0) {
      session.send({
        type: 'error',
        payload: { code: WsErrorCode.INVALID_SYMBOL, message: 'Symbols must match ^[A-Z][A-Z0-9.-]{0,9}$', symbols: malformed.map((s) => s.slice(0, 16)) },
      });
    }
    if (unknown.length > 0) {
      session.send({
        type: 'error',
        payload: { code: WsErrorCode.UNKNOWN_SYMBOL, message: `Not traded here: ${unknown.join(', ')}`, symbols: unknown },
      });
    }
    return requested.filter((s) => this.universe.has(s));
  }
}
