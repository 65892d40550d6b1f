import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SYMBOL_PATTERN, WsErrorCode, type Quote, type Recovery } from '#app/contracts';
import { gatewayConfig, marketConfig, type GatewayConfig, type MarketConfig } from '#app/config';
import type { ClientSession } from '../connections/client-session.js';
import type { StreamGate } from '../connections/stream-gate.js';
import { textFrame } from '../connections/text-frame.js';
import { BarReader } from '../feed/bar-reader.js';
import { HistoryReader } from '../feed/history-reader.js';
import { QuoteFeed } from '../feed/quote-feed.js';
import { QuoteReader } from '../feed/quote-reader.js';
import { BAR_HEAD, UPDATE_HEAD } from '../feed/server-frames.js';
import type { BarsData, SubscribeData } from '../ws/client-frame.parser.js';
import { barKey, SubscriptionIndex } from './subscription-index.js';
import { CHANNEL_WAIT_MS, DEFAULT_CHANNEL_WAIT_MS } from './subscriptions.constants.js';


/**
 * Subscribe and unsubscribe as the WebSocket contract defines them. Per stream, the order is what keeps it
 * gap-free: gate the stream (its updates are kept for this client, its other streams flow on), index the
 * session, wait until the stream's channel is live in Redis, read the snapshot (or what the client missed
 * since its last seq), send it, then open the gate (kept updates newer than the snapshot follow). Every
 * step after an await re-checks that the stream is still gated by the same gate: a client that
 * unsubscribed, subscribed again or went away meanwhile gets nothing from the old request.
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
    const throttleMs = request.throttleMs ?? 0;
    for (const symbol of symbols) this.index.setThrottle(symbol, session, throttleMs);
    const gates = this.gateAndIndex(session, added, session.symbols, throttleMs);
    session.send({ type: 'subscribed', payload: { symbols } });
    const since = new Map([...(request.since ?? [])].filter(([symbol]) => added.includes(symbol)));
    await this.whenLive(session, gates, () => this.sendSnapshot(session, gates, since));
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
    const gates = this.gateAndIndex(session, added.map((s) => barKey(interval, s)), session.barSet());
    session.send({ type: 'barsSubscribed', payload: { symbols, interval } });
    await this.whenLive(session, gates, () => this.sendCurrentBars(session, interval, gates));
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

  /** Gates each new stream before indexing it, so not one of its updates slips past the snapshot. */
  private gateAndIndex(session: ClientSession, keys: string[], into: Set<string>, throttleMs = 0): Map<string, StreamGate> {
    const gates = new Map<string, StreamGate>();
    for (const key of keys) {
      gates.set(key, session.gate(key));
      if (this.index.add(key, session, into, throttleMs)) void this.feed.want(key);
    }
    return gates;
  }

  /**
   * Runs `send` once every channel is live. If that takes longer than the wait allows (Redis away), the
   * client hears FEED_UNAVAILABLE now and its next requests run; `send` still runs when the feed is back,
   * and the streams stay gated until then, so their snapshot still comes before their updates.
   */
  private async whenLive(session: ClientSession, gates: Map<string, StreamGate>, send: () => Promise<void>): Promise<void> {
    const keys = [...gates.keys()];
    if (keys.length === 0) return;
    const sent = this.feed.whenLive(keys).then(send);
    if (await this.within(sent, this.channelWaitMs)) return;
    // A bar stream's key is `interval:symbol`; the client named symbols.
    const waiting = keys.filter((key) => session.isGated(key, gates.get(key)!)).map((key) => key.slice(key.indexOf(':') + 1));
    if (waiting.length === 0) return;
    session.send({
      type: 'error',
      payload: {
        code: WsErrorCode.FEED_UNAVAILABLE,
        message: 'The market data feed is reconnecting; snapshot and updates follow once it is back',
        symbols: waiting,
      },
    });
  }

  /** True when `work` settles within `ms`; it goes on either way. */
  private async within(work: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([work.then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends the snapshot of the streams still gated; for the ones in `since`, the quotes the client missed
   * instead when history reaches back (replayed as updates right after the snapshot). Then opens each
   * gate at the seq it sent. Never rejects: a failed read is reported, and updates flow on.
   */
  private async sendSnapshot(session: ClientSession, gates: Map<string, StreamGate>, since: Map<string, number>): Promise<void> {
    const gated = (symbol: string) => session.isGated(symbol, gates.get(symbol)!);
    const wanted = [...gates.keys()].filter(gated);
    if (wanted.length === 0) return;
    const sentSeqs = new Map<string, number>();
    try {
      const plain = wanted.filter((s) => !since.has(s));
      const [latest, missed] = await Promise.all([
        this.reader.latest(plain),
        this.history.missedSince(new Map([...since].filter(([symbol]) => wanted.includes(symbol)))),
      ]);
      const quotes: Quote[] = latest.filter((q) => gated(q.symbol));
      const recovery: Record<string, Recovery> = {};
      const replay: Buffer[] = [];
      for (const result of missed) {
        if (!gated(result.symbol)) continue;
        recovery[result.symbol] = { recovered: result.recovered, replayed: result.missed.length };
        if (result.recovered) {
          for (const { json } of result.missed) replay.push(textFrame(UPDATE_HEAD + json + '}'));
          sentSeqs.set(result.symbol, Math.max(since.get(result.symbol)!, result.missed.at(-1)?.seq ?? -1));
        } else if (result.latest) {
          quotes.push(result.latest);
        }
      }
      if (!wanted.some(gated)) return;
      for (const quote of quotes) sentSeqs.set(quote.symbol, quote.seq);
      session.send({ type: 'snapshot', payload: since.size > 0 ? { quotes, recovery } : { quotes } });
      for (const frame of replay) session.sendFrame(frame);
    } catch (err) {
      if (wanted.some(gated)) this.failedRead(session, 'Snapshot', err, wanted.filter(gated));
    } finally {
      for (const [symbol, gate] of gates) session.openGate(symbol, gate, sentSeqs.get(symbol), this.settled(session, symbol, sentSeqs.get(symbol)));
    }
  }

  /** Sends the current bar of each stream still gated, then opens each gate at the bar's seq. */
  private async sendCurrentBars(session: ClientSession, interval: BarsData['interval'], gates: Map<string, StreamGate>): Promise<void> {
    const gated = (key: string) => session.isGated(key, gates.get(key)!);
    const symbols = [...gates.keys()].filter(gated).map((key) => key.slice(key.indexOf(':') + 1));
    if (symbols.length === 0) return;
    const sentSeqs = new Map<string, number>();
    try {
      const current = await this.bars.current(interval, symbols);
      for (const bar of current) {
        const key = barKey(interval, bar.symbol);
        if (!gated(key)) continue;
        sentSeqs.set(key, bar.seq);
        session.sendFrame(textFrame(BAR_HEAD + bar.json + '}'));
      }
    } catch (err) {
      const still = symbols.filter((s) => gated(barKey(interval, s)));
      if (still.length > 0) this.failedRead(session, 'Current bars', err, still);
    } finally {
      for (const [key, gate] of gates) session.openGate(key, gate, sentSeqs.get(key), this.settled(session, key, sentSeqs.get(key)));
    }
  }

  /**
   * True when no update the snapshot covered (seq <= `sentSeq`) can still reach the session, so its gate
   * need not wait for the next newer update (an open gate costs ~130 bytes per stream per client, and
   * in a quiet market that update is long in coming). Nothing sent: every update is new. Otherwise the feed
   * hands on only seqs above the newest it fanned out (bar frames at it too: a bar closes under its last
   * tick's seq), and a throttled stream may still beat with an update older than the snapshot.
   */
  private settled(session: ClientSession, key: string, sentSeq: number | undefined): boolean {
    if (sentSeq === undefined) return true;
    if (this.index.throttleOf(key, session) !== 0) return false;
    const newest = this.feed.newestSeq(key);
    return key.includes(':') ? newest > sentSeq : newest >= sentSeq;
  }

  private failedRead(session: ClientSession, what: string, err: unknown, symbols: string[]): void {
    this.logger.warn(`${what} for session ${session.id} failed: ${(err as Error).message}`);
    session.send({
      type: 'error',
      payload: { code: WsErrorCode.INTERNAL_ERROR, message: `${what} unavailable, updates follow: ${(err as Error).message}`, symbols },
    });
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
    session.dropGate(key);
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
