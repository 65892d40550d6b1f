import type { ClientMessage } from '#app/contracts';
import type { ConnectionState } from './client-events.js';
import { MarketDataError } from './market-data-error.js';
import { RECONNECT_BACKOFF, reconnectDelay, type BackoffPolicy } from './reconnect-backoff.js';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './web-socket-like.js';

export interface ConnectionOptions {
  WebSocket: WebSocketConstructor;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Ping when the line is quiet this long (the gateway pings no one); drop it when nothing came for `deadMs`. */
  heartbeat?: { quietMs: number; deadMs: number };
  /** Only a connection up this long resets the backoff, so an accept-then-close loop still backs off. */
  stableMs?: number;
}

export interface ConnectionHooks {
  /** The socket is open, before anyone hears the state: the place to restore subscriptions. */
  opened(): void;
  frame(data: unknown): void;
  state(state: ConnectionState): void;
  error(error: MarketDataError): void;
}

const ignore = () => undefined;

/**
 * One WebSocket to the gateway at a time, reconnecting with exponential backoff and full jitter when it
 * drops, fails to open or goes silent. Every socket callback first checks that its socket is still the
 * current one, so a late open, frame or close of a socket given up on changes nothing.
 */
export class GatewayConnection {
  private current: ConnectionState = { kind: 'idle' };
  private socket: WebSocketLike | null = null;
  private openedOnce = false;
  private attempt = 0;
  private lastFrameAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  start(): void {
    if (this.current.kind === 'idle' || this.current.kind === 'closed') this.open();
  }

  stop(): void {
    if (this.current.kind === 'closed') return;
    this.detach();
    clearTimeout(this.retryTimer);
    this.setState({ kind: 'closed' });
  }

  /** Skips the rest of the backoff wait. */
  retryNow(): void {
    if (this.current.kind === 'waiting') this.open();
  }

  /** Sends when open and reports whether it did; nothing is queued, since every open restores the subscriptions. */
  send(message: ClientMessage): boolean {
    if (this.current.kind !== 'open' || this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    clearTimeout(this.retryTimer);
    this.setState({ kind: 'connecting', reconnect: this.openedOnce });
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.url);
    } catch (err) {
      // A constructor that throws is a failed attempt like any other: say why and back off.
      this.hooks.error(new MarketDataError('NETWORK_ERROR', `Could not open ${this.url}: ${(err as Error).message}`));
      return this.retryLater(null);
    }
    this.socket = socket;
    socket.onopen = () => this.opened(socket);
    socket.onmessage = (event: { data: unknown }) => this.received(socket, event.data);
    socket.onclose = (event: { code?: number }) => this.dropped(socket, event.code ?? null);
    // An error is always followed by close, which is where the reconnect is planned.
    socket.onerror = ignore;
  }

  private opened(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    const { quietMs, deadMs } = this.options.heartbeat ?? { quietMs: 10_000, deadMs: 25_000 };
    this.lastFrameAt = Date.now();
    this.stableTimer = setTimeout(() => (this.attempt = 0), this.options.stableMs ?? 5_000);
    this.heartbeatTimer = setInterval(() => this.checkLine(quietMs, deadMs), quietMs / 2);
    this.current = { kind: 'open', reconnect: this.openedOnce };
    this.openedOnce = true;
    this.hooks.opened();
    // opened() may have found the socket gone (a listener closed the client): say only what is true now.
    if (this.socket === socket) this.hooks.state(this.current);
  }

  /** The hot path: one call per frame. */
  private received(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.socket) return;
    this.lastFrameAt = Date.now();
    this.hooks.frame(data);
  }

  private checkLine(quietMs: number, deadMs: number): void {
    const quiet = Date.now() - this.lastFrameAt;
    if (quiet >= deadMs) this.dropped(this.socket!, null);
    else if (quiet >= quietMs) this.send({ action: 'ping' });
  }

  /** The current socket closed, failed to open, or went silent. */
  private dropped(socket: WebSocketLike, closeCode: number | null): void {
    if (socket !== this.socket) return;
    this.detach();
    this.retryLater(closeCode);
  }

  private retryLater(closeCode: number | null): void {
    const attempt = this.attempt++;
    const delay = reconnectDelay(attempt, this.options.backoff ?? RECONNECT_BACKOFF, this.options.random);
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.setState({ kind: 'waiting', retryAt: Date.now() + delay, attempt, closeCode });
  }

  /** Forgets the current socket and its timers, closing it if it may still be up. */
  private detach(): void {
    clearTimeout(this.stableTimer);
    clearInterval(this.heartbeatTimer);
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Not null: `ws` emits an error when a connecting socket is closed, and throws it if no one listens.
    socket.onerror = ignore;
    try {
      socket.close(1000);
    } catch {
      // Already closing: nothing to do.
    }
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.hooks.state(state);
  }
}
