import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { WsCloseCode, type ServerMessage } from '#app/contracts';
import { ClientOutbox, type OutboxLimits, type OutboxSocket } from './client-outbox.js';
import type { GatewayStats } from './gateway-stats.js';
import { RawSocketAccess } from './raw-socket-access.js';
import { SessionQueue, type SessionTask } from './session-queue.js';
import { StreamGate } from './stream-gate.js';
import { textFrame } from './text-frame.js';

export interface SessionLimits extends OutboxLimits {
  /** Requests that may wait behind the one running; past it the client gets RATE_LIMITED. */
  maxQueuedRequests: number;
}

/** What `bars` reads as before the first bar subscription. */
const NO_KEYS: ReadonlySet<string> = new Set();

const TERMINATE_AFTER_CLOSE_MS = 1000;
let nextId = 0;

/**
 * One connected client. An update of a stream goes through two steps, each owned by a small piece:
 * the stream's gate while its snapshot is read (StreamGate), then the outbox, which writes once per turn
 * and holds the slow-client rule (ClientOutbox). A throttled stream's updates reach `deliver` already
 * thinned out (ThrottleGrid, per stream rather than per client). Requests run one at a time in a bounded
 * queue (SessionQueue).
 *
 * A session is open until `close`, once; work that resumes after an await checks `isActive` and gives up
 * on a closed session, so nothing is ever indexed or sent for a client that has gone. What only some
 * clients need exists only while needed (the request queue, the gates, the bar set): a
 * gateway holds many thousands of idle sessions.
 */
export class ClientSession implements OutboxSocket {
  readonly id = ++nextId;
  /** Quote streams subscribed, by symbol. */
  readonly symbols = new Set<string>();
  /** Bar streams subscribed, by `interval:symbol`; null until the first bar subscription. */
  private barKeys: Set<string> | null = null;
  /** Streams whose snapshot is being read or was just sent; null while there are none. */
  private gates: Map<string, StreamGate> | null = null;
  /** The requests waiting or running; null while there are none. */
  private queue: SessionQueue | null = null;
  private readonly outbox: ClientOutbox;
  private closed = false;
  /** Cleared when a ping is sent, set by the pong; a session still false at the next ping is dead. */
  alive = true;

  constructor(
    readonly socket: WebSocket,
    readonly ip: string,
    private readonly limits: SessionLimits,
    private readonly stats: GatewayStats,
    /** Shared by every session of a registry, so it takes the session rather than closing over it. */
    private readonly onTaskError: (session: ClientSession, err: unknown) => void = () => undefined,
  ) {
    this.outbox = new ClientOutbox(this, limits, stats);
  }

  /** Bar streams subscribed, by `interval:symbol`. */
  get bars(): ReadonlySet<string> {
    return this.barKeys ?? NO_KEYS;
  }

  /** The set of bar streams to add to, created on the first bar subscription (for SubscriptionIndex). */
  barSet(): Set<string> {
    return (this.barKeys ??= new Set());
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN;
  }

  /** False once the session is closed: the client has gone, whatever its socket still says. */
  get isActive(): boolean {
    return !this.closed;
  }

  /** True while the client's updates are conflated for not reading fast enough. */
  get isBehind(): boolean {
    return this.outbox.isBehind;
  }

  /** Ends the session: waiting requests, gated and queued frames are dropped. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue?.close();
    this.queue = null;
    this.gates = null;
    this.outbox.close();
  }

  /**
   * Closes the WebSocket with `code` after what is queued for the client: `ws` writes the close frame at
   * once, and a frame written after it would never be read.
   */
  closeWith(code: number, reason: string): void {
    this.outbox.flush();
    this.socket.close(code, reason);
  }

  /** A reply, after everything queued for the client before it. */
  send(message: ServerMessage): void {
    if (this.isOpen) this.outbox.reply(textFrame(JSON.stringify(message)));
  }

  /** A frame that must reach the client whole and in order (a replayed quote, a current bar): never throttled or conflated. */
  sendFrame(frame: Buffer): void {
    if (this.isOpen) this.outbox.reply(frame);
  }

  /**
   * The hot path: one encoded WebSocket frame of a stream (a symbol's quotes, or `interval:symbol` bars),
   * shared by every subscriber of it.
   */
  deliver(key: string, seq: number, frame: Buffer, closes = false): void {
    if (this.gates !== null) {
      const gate = this.gates.get(key);
      if (gate) {
        if (gate.holds(seq, frame, closes)) return;
        if (gate.isDone) this.forgetGate(key, gate);
      }
    }
    this.pass(key, frame, closes);
  }

  /** A bar's closing frame is its final values: it goes out like a reply, never replaced by a later frame. */
  private pass(key: string, frame: Buffer, closes: boolean): void {
    if (closes) return this.outbox.reply(frame);
    this.outbox.update(key, frame);
  }

  /** Keeps `key`'s updates back until `openGate`: its snapshot is about to be read. The gate is the caller's ticket. */
  gate(key: string): StreamGate {
    const gate = new StreamGate();
    if (!this.closed) (this.gates ??= new Map()).set(key, gate);
    return gate;
  }

  /** True while `gate` is still the one keeping `key` back (not unsubscribed, not replaced by a later subscribe). */
  isGated(key: string, gate: StreamGate): boolean {
    return this.gates?.get(key) === gate && gate.isReading;
  }

  /**
   * The snapshot of `key` went out up to `sentSeq`: what the gate kept that is newer follows it. `settled`:
   * nothing the snapshot covered can still arrive (the caller knows the feed has handed it on already), so
   * the gate goes now rather than at the next newer update, which in a quiet market may be long in coming.
   */
  openGate(key: string, gate: StreamGate, sentSeq: number | undefined, settled = false): void {
    if (this.gates?.get(key) !== gate) return;
    for (const update of gate.open(sentSeq)) this.pass(key, update.frame, update.closes);
    this.stats.updatesConflated += gate.dropped;
    if (gate.isDone || settled) this.forgetGate(key, gate);
  }

  /** Forgets `key`'s gate (the client unsubscribed). */
  dropGate(key: string): void {
    this.gates?.delete(key);
    if (this.gates?.size === 0) this.gates = null;
  }

  private forgetGate(key: string, gate: StreamGate): void {
    if (this.gates?.get(key) === gate) this.dropGate(key);
  }

  /** Runs the task after this session's earlier ones; false when the queue is full or the session closed. */
  enqueue(task: SessionTask): boolean {
    if (this.closed) return false;
    if (!this.queue) {
      const queue = new SessionQueue(
        this.limits.maxQueuedRequests,
        (err) => this.onTaskError(this, err),
        () => {
          if (this.queue === queue) this.queue = null;
        },
      );
      this.queue = queue;
    }
    return this.queue.push(task);
  }

  /** True while requests wait or run. */
  get isBusy(): boolean {
    return this.queue !== null;
  }

  /** Resolves once the requests queued so far have run. */
  settled(): Promise<void> {
    return this.queue?.idle() ?? Promise.resolve();
  }

  /** OutboxSocket: what Node still holds for the client. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** OutboxSocket: the socket to write to while the WebSocket is open. */
  raw(): Socket | null {
    return this.isOpen ? (RawSocketAccess.of(this.socket) ?? null) : null;
  }

  /** OutboxSocket: a client that does not read cannot receive a close frame either: close, then cut it off. */
  closeAsTooSlow(): void {
    this.stats.slowClientsClosed++;
    this.socket.close(WsCloseCode.TRY_AGAIN_LATER, 'client too slow');
    setTimeout(() => this.socket.terminate(), TERMINATE_AFTER_CLOSE_MS).unref();
  }
}
