import type { BarInterval, ClientMessage, ServerMessage, ThrottleMs } from '#app/contracts';
import { ClientEvents, type ConnectionState, type MarketDataEvents } from './client-events.js';
import { GatewayConnection, type ConnectionOptions } from './gateway-connection.js';
import { MarketDataError } from './market-data-error.js';
import { RateLimitRetry } from './rate-limit-retry.js';
import { RestClient } from './rest-client.js';
import { SeqTracker } from './seq-tracker.js';
import { parseServerFrame } from './server-frame.js';
import { SubscriptionSet } from './subscription-set.js';
import type { WebSocketConstructor } from './web-socket-like.js';

export interface MarketDataClientOptions extends Partial<ConnectionOptions> {
  /** The gateway's WebSocket, e.g. `ws://127.0.0.1:8081/ws`. */
  url: string;
  /** Sent as `?apiKey=` / `?token=` on the socket (no WebSocket can set headers everywhere) and as headers over REST. */
  apiKey?: string;
  token?: string;
  /** Where the REST API is; by default the socket's origin over http(s). */
  restUrl?: string;
  /** By default the global one (browsers, Node 22+); any other with the same API, such as the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
}

/** What the gateway offers; `satisfies` fails the build when the contract's lists change and these do not. */
const THROTTLES = { 0: true, 100: true, 250: true, 500: true, 1000: true } satisfies Record<ThrottleMs, true>;
const INTERVALS = { '1s': true, '1m': true } satisfies Record<BarInterval, true>;
/** Symbols the gateway refused for good: they are dropped from what is re-subscribed. */
const NEVER_VALID = new Set(['UNKNOWN_SYMBOL', 'INVALID_SYMBOL']);

/**
 * A market-data SDK over the gateway's WebSocket and REST API. It keeps the subscriptions the caller
 * wants and restores them on every connection, with `since` = the last seq held per symbol, so a drop
 * costs no quotes when the gateway's history still covers it (and a `gap` event when it does not).
 * Callbacks of a socket that is no longer the current one are ignored, so no order of open, close and
 * caller calls can leave two sockets alive or a subscription sent twice.
 */
export class MarketDataClient {
  private readonly quotes = new SubscriptionSet<ThrottleMs>();
  private readonly barSubscriptions = new Map<BarInterval, SubscriptionSet<BarInterval>>();
  private readonly seqs = new SeqTracker();
  private readonly events = new ClientEvents();
  /** Re-sends the requests the gateway has not acknowledged after it answered RATE_LIMITED. */
  private readonly rateLimited = new RateLimitRetry(() => this.sendUnacknowledged());
  private readonly connection: GatewayConnection | null;
  readonly rest: RestClient;

  constructor(options: MarketDataClientOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new MarketDataError('INVALID_ARGUMENT', `url must be a ws: or wss: address, not ${url.protocol}`);
    }
    if (options.apiKey) url.searchParams.set('apiKey', options.apiKey);
    if (options.token) url.searchParams.set('token', options.token);
    const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    // Without a WebSocket the REST half still works; connect() says what is missing.
    this.connection = WebSocket
      ? new GatewayConnection(url.href, { ...options, WebSocket }, {
          opened: () => this.restore(),
          frame: (data) => this.received(data),
          state: (state) => this.events.emit('state', state),
          error: (error) => this.events.emit('error', error),
        })
      : null;
    const restUrl = options.restUrl ?? `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}/`;
    this.rest = new RestClient({ baseUrl: restUrl, fetch: options.fetch, apiKey: options.apiKey, token: options.token });
  }

  get connectionState(): ConnectionState {
    return this.connection?.state ?? { kind: 'idle' };
  }

  on<E extends keyof MarketDataEvents>(event: E, listener: MarketDataEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  /** The last seq held of `symbol`: what a re-subscribe sends as `since`. */
  lastSeq(symbol: string): number | undefined {
    return this.seqs.lastSeq(symbol);
  }

  /** Starts connecting (again, after close()); reconnects by itself from then on. */
  connect(): void {
    if (!this.connection) {
      throw new MarketDataError('INVALID_ARGUMENT', 'No global WebSocket here (Node before 22?): pass options.WebSocket, e.g. from the `ws` package');
    }
    this.connection.start();
  }

  /** Closes the connection for good (until connect()); the subscriptions are kept for then. */
  close(): void {
    this.rateLimited.cancel();
    this.connection?.stop();
  }

  /** Skips the rest of the backoff wait (the browser says it is online again). */
  reconnectNow(): void {
    this.connection?.retryNow();
  }

  /** Subscribes to quotes, all of them or conflated to one per `throttleMs`; sent now if open, else on connect. */
  subscribe(symbols: string[], { throttleMs = 0 }: { throttleMs?: ThrottleMs } = {}): void {
    if (!Object.hasOwn(THROTTLES, throttleMs)) {
      throw new MarketDataError('INVALID_ARGUMENT', `throttleMs must be one of ${Object.keys(THROTTLES).join(', ')}`);
    }
    // The gap check pauses until the gateway acknowledges the new rate: the gateway sends the update
    // its throttle held back before that acknowledgement, so full-rate updates follow on from it.
    const changed = this.quotes.want(normalise(symbols), throttleMs);
    if (changed.length > 0) this.sendSubscribe(changed, throttleMs);
  }

  /** Unsubscribes; while disconnected it only forgets them, so the next connection does not restore them. */
  unsubscribe(symbols: string[]): void {
    const dropped = this.quotes.drop(normalise(symbols));
    for (const symbol of dropped) this.seqs.forget(symbol);
    if (dropped.length > 0) this.send({ action: 'unsubscribe', payload: { symbols: dropped } });
  }

  subscribeBars(symbols: string[], interval: BarInterval): void {
    const added = this.barsOf(interval).want(normalise(symbols), interval);
    if (added.length > 0) this.send({ action: 'subscribeBars', payload: { symbols: added, interval } });
  }

  unsubscribeBars(symbols: string[], interval: BarInterval): void {
    const dropped = this.barsOf(interval).drop(normalise(symbols));
    if (dropped.length > 0) this.send({ action: 'unsubscribeBars', payload: { symbols: dropped, interval } });
  }

  latestQuotes(...args: Parameters<RestClient['latestQuotes']>) {
    return this.rest.latestQuotes(...args);
  }

  history(...args: Parameters<RestClient['history']>) {
    return this.rest.history(...args);
  }

  bars(...args: Parameters<RestClient['bars']>) {
    return this.rest.bars(...args);
  }

  /** Sends every wanted subscription: one subscribe per throttle (with `since` where a seq is held), one subscribeBars per interval. */
  private restore(): void {
    // Everything is sent again on this connection: a resend planned on the last one has nothing left to do.
    this.rateLimited.cancel();
    this.quotes.restart();
    for (const bars of this.barSubscriptions.values()) bars.restart();
    this.sendUnacknowledged();
  }

  /**
   * What the gateway has not acknowledged on this connection, as the caller wants it now: the
   * unsubscribes of either kind first (they make room under the gateway's symbol limit), then one
   * subscribe per throttle and one subscribeBars per interval. Also the resend after RATE_LIMITED: that
   * frame does not say which request it refused, so all of them go again (one the gateway still had
   * queued is answered twice, which is harmless: both kinds are idempotent); nothing unacknowledged,
   * nothing sent.
   */
  private sendUnacknowledged(): void {
    const drops = this.quotes.unacknowledgedDrops();
    if (drops.length > 0) this.send({ action: 'unsubscribe', payload: { symbols: drops } });
    for (const [interval, bars] of this.barSubscriptions) {
      const dropped = bars.unacknowledgedDrops();
      if (dropped.length > 0) this.send({ action: 'unsubscribeBars', payload: { symbols: dropped, interval } });
    }
    for (const [throttleMs, symbols] of this.quotes.unacknowledged()) this.sendSubscribe(symbols, throttleMs);
    for (const [interval, bars] of this.barSubscriptions) {
      for (const symbols of bars.unacknowledged().values()) this.send({ action: 'subscribeBars', payload: { symbols, interval } });
    }
  }

  private sendSubscribe(symbols: string[], throttleMs: ThrottleMs): void {
    const since = this.seqs.since(symbols);
    this.send({ action: 'subscribe', payload: { symbols, ...(since && { since }), ...(throttleMs > 0 && { throttleMs }) } });
  }

  /** The hot path: one call per frame from the gateway. */
  private received(data: unknown): void {
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      this.events.emit('error', new MarketDataError('INVALID_FRAME', `Ignored a frame from the gateway: ${parsed.reason}`));
      return;
    }
    this.handle(parsed.message);
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'update': {
        const quote = message.payload;
        const subscription = this.quotes.get(quote.symbol);
        if (!subscription) return;
        const verdict = this.seqs.update(quote.symbol, quote.seq, subscription.acked === 0);
        if (!verdict.accepted) return;
        if (verdict.missed > 0) {
          this.events.emit('gap', { symbol: quote.symbol, reason: 'seq-jump', afterSeq: verdict.after!, nextSeq: quote.seq });
        }
        this.events.emit('quote', quote, 'update');
        return;
      }
      case 'bar':
        if (this.barSubscriptions.get(message.payload.interval)?.has(message.payload.symbol)) this.events.emit('bar', message.payload);
        return;
      case 'snapshot':
        return this.snapshot(message.payload);
      case 'subscribed':
        this.rateLimited.acknowledged();
        this.quotes.subscribeAcknowledged(message.payload.symbols);
        this.events.emit('subscribed', message.payload.symbols);
        return;
      case 'unsubscribed':
        this.rateLimited.acknowledged();
        return this.quotes.unsubscribeAcknowledged(message.payload.symbols);
      case 'barsSubscribed':
        this.rateLimited.acknowledged();
        return this.barSubscriptions.get(message.payload.interval)?.subscribeAcknowledged(message.payload.symbols);
      case 'barsUnsubscribed':
        this.rateLimited.acknowledged();
        return this.barSubscriptions.get(message.payload.interval)?.unsubscribeAcknowledged(message.payload.symbols);
      case 'error':
        return this.refused(message.payload);
    }
  }

  private snapshot({ quotes, recovery = {} }: Extract<ServerMessage, { type: 'snapshot' }>['payload']): void {
    for (const [symbol, { recovered }] of Object.entries(recovery)) {
      const afterSeq = this.seqs.lastSeq(symbol);
      if (recovered || afterSeq === undefined || !this.quotes.has(symbol)) continue;
      const latest = quotes.find((q) => q.symbol === symbol);
      this.events.emit('gap', { symbol, reason: 'not-recovered', afterSeq, nextSeq: latest?.seq ?? null });
    }
    for (const quote of quotes) {
      if (this.quotes.has(quote.symbol) && this.seqs.snapshot(quote.symbol, quote.seq)) this.events.emit('quote', quote, 'snapshot');
    }
  }

  private refused({ code, message, symbols = [], retryAfterMs }: Extract<ServerMessage, { type: 'error' }>['payload']): void {
    if (code === 'RATE_LIMITED') this.rateLimited.refused(retryAfterMs);
    if (NEVER_VALID.has(code)) {
      this.quotes.forget(symbols);
      for (const symbol of symbols) this.seqs.forget(symbol);
      for (const bars of this.barSubscriptions.values()) bars.forget(symbols);
    }
    this.events.emit('error', new MarketDataError(code, message, symbols, undefined, retryAfterMs));
  }

  private send(message: ClientMessage): void {
    this.connection?.send(message);
  }

  private barsOf(interval: BarInterval): SubscriptionSet<BarInterval> {
    if (!Object.hasOwn(INTERVALS, interval)) {
      throw new MarketDataError('INVALID_ARGUMENT', `interval must be one of ${Object.keys(INTERVALS).join(', ')}`);
    }
    let held = this.barSubscriptions.get(interval);
    if (!held) this.barSubscriptions.set(interval, (held = new SubscriptionSet()));
    return held;
  }
}

/** Upper-cased and trimmed, as the gateway keys symbols; each once. */
function normalise(symbols: string[]): string[] {
  return [...new Set(symbols.map((s) => String(s).trim().toUpperCase()))];
}
