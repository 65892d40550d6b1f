import { Inject, Injectable } from '@nestjs/common';
import { SYMBOL_PATTERN, WsErrorCode } from '#app/contracts';
import { gatewayConfig, marketConfig, type GatewayConfig, type MarketConfig } from '#app/config';
import { QuoteFeed } from '../feed/quote-feed.js';
import { QuoteReader } from '../feed/quote-reader.js';
import type { ClientSession } from '../connections/client-session.js';
import { SubscriptionIndex } from './subscription-index.js';

/** Subscribe and unsubscribe as the WebSocket contract defines them. */
@Injectable()
export class SubscriptionService {
  private readonly universe: Set<string>;

  constructor(
    private readonly index: SubscriptionIndex,
    private readonly feed: QuoteFeed,
    private readonly reader: QuoteReader,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfig,
    @Inject(marketConfig.KEY) market: MarketConfig,
  ) {
    this.universe = new Set(market.symbols.map((s) => s.symbol));
  }

  /**
   * Acknowledges the valid symbols, reports the others, then sends a snapshot of the newly added ones.
   * Updates that race the snapshot read are held and released after it, newest-seq-only.
   */
  async subscribe(session: ClientSession, requested: string[]): Promise<void> {
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
    const listening: Promise<unknown>[] = [];
    for (const symbol of added) {
      if (this.index.add(symbol, session)) listening.push(this.feed.listen(symbol));
    }
    session.send({ type: 'subscribed', payload: { symbols } });
    const seqs = new Map<string, number>();
    try {
      await Promise.all(listening);
      const quotes = await this.reader.latest(added);
      for (const quote of quotes) seqs.set(quote.symbol, quote.seq);
      session.send({ type: 'snapshot', payload: { quotes } });
    } catch (err) {
      session.send({
        type: 'error',
        payload: { code: WsErrorCode.INTERNAL_ERROR, message: `Snapshot unavailable, updates follow: ${(err as Error).message}` },
      });
    } finally {
      session.release(seqs);
    }
  }

  unsubscribe(session: ClientSession, requested: string[]): void {
    const symbols = requested.filter((s) => session.symbols.has(s));
    for (const symbol of symbols) this.drop(session, symbol);
    session.send({ type: 'unsubscribed', payload: { symbols } });
  }

  disconnect(session: ClientSession): void {
    for (const symbol of [...session.symbols]) this.drop(session, symbol);
  }

  private drop(session: ClientSession, symbol: string): void {
    if (this.index.remove(symbol, session)) this.feed.unlisten(symbol);
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
