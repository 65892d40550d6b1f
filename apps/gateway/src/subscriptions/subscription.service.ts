import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SYMBOL_PATTERN, WsErrorCode } from '#app/contracts';
import { gatewayConfig, marketConfig, type GatewayConfig, type MarketConfig } from '#app/config';
import { QuoteFeed } from '../feed/quote-feed.js';
import { QuoteReader } from '../feed/quote-reader.js';
import type { ClientSession } from '../connections/client-session.js';
import { SubscriptionIndex } from './subscription-index.js';
import { CHANNEL_WAIT_MS, DEFAULT_CHANNEL_WAIT_MS } from './subscriptions.constants.js';

/**
 * Subscribe and unsubscribe as the WebSocket contract defines them. The order inside a subscribe is
 * what keeps the stream gap-free: index the session (so updates start reaching it, held), wait until
 * every channel is live in Redis, read the snapshot, send it, then release the held updates newer
 * than it. Every step after an await first checks that the session is still open.
 */
@Injectable()
export class SubscriptionService {
  private readonly logger = new Logger(SubscriptionService.name);
  private readonly universe: Set<string>;

  constructor(
    private readonly index: SubscriptionIndex,
    private readonly feed: QuoteFeed,
    private readonly reader: QuoteReader,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfig,
    @Inject(marketConfig.KEY) market: MarketConfig,
    @Optional() @Inject(CHANNEL_WAIT_MS) private readonly channelWaitMs: number = DEFAULT_CHANNEL_WAIT_MS,
  ) {
    this.universe = new Set(market.symbols.map((s) => s.symbol));
  }

  /** Acknowledges the valid symbols, reports the others, then sends a snapshot of the newly added ones. */
  async subscribe(session: ClientSession, requested: string[]): Promise<void> {
    if (!session.isActive) return;
    const symbols = this.acceptable(session, requested);
    if (symbols.length === 0) return;
    const added = symbols.filter((s) => !session.symbols.has(s));
    if (session.symbols.size + added.length > this.config.maxSymbolsPerConnection) {
      session.send({
        type: 'error',
        payload: {
          code: WsErrorCode.TOO_MANY_SYMBOLS,
          message: `At most ${this.config.maxSymbolsPerConnection} symbols per connection; ${session.symbols.size} already subscribed`,
          symbols: added,
        },
      });
      return;
    }
    session.hold();
    for (const symbol of added) {
      if (this.index.add(symbol, session)) void this.feed.want(symbol);
    }
    session.send({ type: 'subscribed', payload: { symbols } });
    const live = await this.waitForChannels(added);
    if (!session.isActive) return;
    if (live) {
      await this.sendSnapshot(session, added);
    } else {
      session.release(new Map());
      session.send({
        type: 'error',
        payload: {
          code: WsErrorCode.FEED_UNAVAILABLE,
          message: 'The market data feed is reconnecting; snapshot and updates follow once it is back',
          symbols: added,
        },
      });
      void this.feed.whenLive(added).then(() => session.enqueue(() => this.sendSnapshot(session, added)));
    }
  }

  unsubscribe(session: ClientSession, requested: string[]): void {
    const symbols = requested.filter((s) => session.symbols.has(s));
    for (const symbol of symbols) this.drop(session, symbol);
    session.send({ type: 'unsubscribed', payload: { symbols } });
  }

  /** Forgets a closed session everywhere; the caller has closed it, so no later step adds it back. */
  disconnect(session: ClientSession): void {
    for (const symbol of [...session.symbols]) this.drop(session, symbol);
  }

  /** Holds the session's updates, reads and sends the snapshot of those `symbols` it still has, then releases. */
  private async sendSnapshot(session: ClientSession, symbols: string[]): Promise<void> {
    const wanted = symbols.filter((s) => session.symbols.has(s));
    if (!session.isActive || wanted.length === 0) return session.release(new Map());
    session.hold();
    const seqs = new Map<string, number>();
    try {
      const quotes = await this.reader.latest(wanted);
      if (!session.isActive) return;
      const current = quotes.filter((q) => session.symbols.has(q.symbol));
      for (const quote of current) seqs.set(quote.symbol, quote.seq);
      session.send({ type: 'snapshot', payload: { quotes: current } });
    } catch (err) {
      this.logger.warn(`snapshot for session ${session.id} failed: ${(err as Error).message}`);
      session.send({
        type: 'error',
        payload: { code: WsErrorCode.INTERNAL_ERROR, message: `Snapshot unavailable, updates follow: ${(err as Error).message}`, symbols: wanted },
      });
    } finally {
      session.release(seqs);
    }
  }

  /** True once every channel is live, false if that takes longer than the wait allows. */
  private async waitForChannels(symbols: string[]): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, this.channelWaitMs, false)));
    try {
      return await Promise.race([this.feed.whenLive(symbols).then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private drop(session: ClientSession, symbol: string): void {
    if (this.index.remove(symbol, session)) this.feed.release(symbol);
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
