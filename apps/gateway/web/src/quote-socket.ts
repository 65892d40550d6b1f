import type { ClientMessage, ServerMessage } from '../../../../libs/contracts/src/ws-messages.js';
import { reconnectDelay } from './reconnect-backoff.js';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  /** `retryAt` is when the next attempt starts, or null while one is under way. */
  | { kind: 'reconnecting'; retryAt: number | null }
  | { kind: 'offline'; retryAt: number | null };

export interface QuoteSocketEvents {
  /** The socket is open (first time or again): the place to (re)subscribe. */
  opened(): void;
  message(message: ServerMessage): void;
  state(state: ConnectionState): void;
}

/** Ping when the line has been quiet this long: the gateway pings no one, so heartbeats are ours. */
const QUIET_MS = 10_000;
/** No frame at all for this long means a half-open connection: drop it and reconnect. */
const DEAD_MS = 25_000;
/** Only a connection that stays up this long resets the backoff, so an accept-then-close loop still backs off. */
const STABLE_MS = 5_000;

/** The page's one WebSocket to the gateway: JSON frames in and out, reconnecting with backoff when dropped. */
export class QuoteSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private connectedOnce = false;
  private lastFrameAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly url: string,
    private readonly events: QuoteSocketEvents,
  ) {}

  start(): void {
    window.addEventListener('online', () => this.retryNow());
    this.connect();
  }

  /**
   * Sends when open and reports whether it did. Nothing needs queueing while closed: on reconnect
   * `opened` subscribes the whole watchlist again.
   */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private connect(): void {
    this.retryTimer = undefined;
    this.events.state(this.connectedOnce ? { kind: 'reconnecting', retryAt: null } : { kind: 'connecting' });
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (event: MessageEvent<string>) => this.received(event.data);
    // An error is always followed by close, which is where the reconnect is planned.
    socket.onclose = () => this.dropped();
  }

  private opened(): void {
    this.connectedOnce = true;
    this.lastFrameAt = Date.now();
    this.stableTimer = setTimeout(() => (this.attempt = 0), STABLE_MS);
    this.heartbeat = setInterval(() => this.checkLine(), QUIET_MS / 2);
    this.events.state({ kind: 'live' });
    this.events.opened();
  }

  /** The hot path: one call per frame from the gateway. */
  private received(data: string): void {
    this.lastFrameAt = Date.now();
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    this.events.message(message);
  }

  private checkLine(): void {
    const quiet = Date.now() - this.lastFrameAt;
    if (quiet >= DEAD_MS) {
      // close() on a dead line may never produce a close event, so don't wait for one.
      this.socket?.close();
      this.dropped();
    } else if (quiet >= QUIET_MS) {
      this.send({ action: 'ping' });
    }
  }

  private dropped(): void {
    if (this.socket) {
      this.socket.onopen = this.socket.onmessage = this.socket.onclose = null;
      this.socket = null;
    }
    clearTimeout(this.stableTimer);
    clearInterval(this.heartbeat);
    const delay = reconnectDelay(this.attempt++);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    const retryAt = Date.now() + delay;
    this.events.state(navigator.onLine ? { kind: 'reconnecting', retryAt } : { kind: 'offline', retryAt });
  }

  /** The browser is back online: try now rather than at the end of a long backoff. */
  private retryNow(): void {
    if (this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }
}
