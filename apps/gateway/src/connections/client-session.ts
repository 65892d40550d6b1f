import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { WsCloseCode, type ServerMessage } from '#app/contracts';
import type { GatewayStats } from './gateway-stats.js';
import { RawSocketAccess } from './raw-socket-access.js';
import { ReadReceipts } from './read-receipts.js';
import { SessionQueue, type SessionTask } from './session-queue.js';
import { updateFrame } from './text-frame.js';
import { UpdateThrottle } from './update-throttle.js';

interface HeldUpdate {
  symbol: string;
  seq: number;
  frame: Buffer;
}

export interface SessionLimits {
  /**
   * Unread bytes above which a client found behind in the last few seconds is behind again, and unsent
   * bytes in Node above which a lagging client's updates keep waiting; a quarter of it is the bytes
   * between two read receipts (see ReadReceipts).
   */
  slowBufferBytes: number;
  /** Queued bytes above which the client is closed with 1013; past half of it, its updates are conflated. */
  maxBufferBytes: number;
  /** How long a client may stay lagging before it is closed with 1013. */
  maxLagMs: number;
  /** Requests that may wait behind the one running; past it the client gets RATE_LIMITED. */
  maxQueuedRequests: number;
}

/** What `bars` reads as before the first bar subscription. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** Held updates past which only the latest per symbol is kept, so a long snapshot wait stays bounded. */
const MAX_HELD_UPDATES = 1000;

const TERMINATE_AFTER_CLOSE_MS = 1000;
let nextId = 0;

/** Ends a burst of deliveries: everything written to the socket since it was corked goes out in one writev. */
function uncork(session: ClientSession): void {
  session.uncorkBurst();
}

/**
 * One connected client: its socket, its symbols, and a queue that runs its requests one at a time.
 * A session is open until `close`, once; work that resumes after an await checks `isActive` and
 * gives up on a closed session, so nothing is ever indexed or sent for a client that has gone.
 *
 * Most clients sit idle between a subscribe and their next request, and a gateway holds thousands of
 * them, so what only some need exists only while needed: the request queue while requests wait or run,
 * the throttle while a stream is throttled, the bar set from the first bar subscription.
 */
export class ClientSession {
  readonly id = ++nextId;
  /** Quote streams subscribed, by symbol. */
  readonly symbols = new Set<string>();
  /** Bar streams subscribed, by `interval:symbol`; null until the first bar subscription. */
  private barKeys: Set<string> | null = null;
  /** Streams the client asked to receive at most every N ms; null while none is throttled. */
  private throttle: UpdateThrottle | null = null;
  private closed = false;
  /** The requests waiting or running; null while there are none. */
  private queue: SessionQueue | null = null;
  /** Updates that arrive while a snapshot is being read; sent after it so seq never goes backwards. */
  private held: HeldUpdate[] | null = null;
  /**
   * Per stream, the seq the last snapshot or replay reached, until the feed passes it. The snapshot is
   * read on the command connection and updates come on the pub/sub one: an update already in the
   * snapshot or replay can arrive after it, once nothing is held any more, and must not be sent again.
   */
  private sentUpTo: Map<string, number> | null = null;
  /** Latest update per symbol kept back while the client is not reading fast enough. */
  private conflated: Map<string, Buffer> | null = null;
  private laggingSince = 0;
  /** Cleared when a ping is sent, set by the pong; a session still false at the next ping is dead. */
  alive = true;
  /** The TCP socket under the WebSocket while it is corked for the current burst of updates. */
  private corked: Socket | null = null;
  /** Unsent bytes when the burst began: the corked frames of the burst itself are not the client's backlog. */
  private backlogAtCork = 0;
  /** What the client has read of what was written, from its pongs (see ReadReceipts). */
  private readonly receipts: ReadReceipts;
  /** Whether the client was behind on reading when the burst began, for the same reason as backlogAtCork. */
  private behindAtCork = false;

  constructor(
    readonly socket: WebSocket,
    readonly ip: string,
    private readonly limits: SessionLimits,
    private readonly stats: GatewayStats,
    /** Shared by every session of a registry, so it takes the session rather than closing over it. */
    private readonly onTaskError: (session: ClientSession, err: unknown) => void = () => undefined,
  ) {
    this.receipts = new ReadReceipts(Math.max(1, Math.floor(limits.slowBufferBytes / 4)), limits.slowBufferBytes, socket);
  }

  /** A pong: the client is alive, and if it answers a read receipt, conflated updates may go out now. */
  pong(payload: Buffer): void {
    this.alive = true;
    if (this.receipts.pong(payload) && this.conflated) this.catchUp();
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

  /** Ends the session: waiting requests are dropped, held and conflated updates forgotten. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue?.close();
    this.queue = null;
    this.throttle?.clear();
    this.throttle = null;
    this.held = null;
    this.sentUpTo = null;
    this.conflated = null;
  }

  get isLagging(): boolean {
    return this.conflated !== null;
  }

  send(message: ServerMessage): void {
    if (!this.isOpen) return;
    this.socket.send(JSON.stringify(message));
    this.stats.messagesSent++;
  }

  /** A frame that must reach the client whole and in order (a replayed quote, a current bar): never throttled or conflated. */
  sendFrame(frame: Buffer): void {
    if (!this.isOpen) return;
    this.socket.send(frame, { binary: false });
    this.stats.messagesSent++;
    this.receipts.wrote(frame.length);
  }

  /**
   * The hot path: one pre-serialised frame of a stream (a symbol's quotes, or `interval:symbol` bars),
   * shared by every subscriber of it. Held while a snapshot is read, throttled if the client asked.
   */
  deliver(key: string, seq: number, frame: Buffer): void {
    if (this.held) {
      this.held.push({ symbol: key, seq, frame });
      if (this.held.length > MAX_HELD_UPDATES) this.held = this.latestHeld(this.held);
      return;
    }
    if (!this.isOpen) return;
    if (this.sentUpTo && this.alreadySent(key, seq)) return;
    if (this.throttle && !this.throttle.admit(key, frame)) return;
    this.deliverNow(key, frame);
  }

  /** Sends `key` at most every `intervalMs` (0: unthrottled, a waiting update goes out now). */
  setThrottle(key: string, intervalMs: number): void {
    if (intervalMs === 0 && !this.throttle) return;
    if (this.closed) return;
    this.throttle ??= new UpdateThrottle(
      (stream, frame) => this.deliverNow(stream, frame),
      () => this.stats.updatesConflated++,
    );
    this.throttle.set(key, intervalMs);
    this.dropIdleThrottle();
  }

  /** Forgets `key`'s throttle and any update waiting in it (the client unsubscribed). */
  forgetThrottle(key: string): void {
    this.throttle?.forget(key);
    this.dropIdleThrottle();
  }

  private dropIdleThrottle(): void {
    if (this.throttle?.size === 0) this.throttle = null;
  }

  /**
   * True for an update the snapshot or replay covered; the first newer one ends the check for its
   * stream. A bar of the same seq passes: it is the bar sent, now closed (bar keys are `interval:symbol`).
   */
  private alreadySent(key: string, seq: number): boolean {
    const upTo = this.sentUpTo!.get(key);
    if (upTo === undefined) return false;
    if (seq < upTo || (seq === upTo && !key.includes(':'))) return true;
    this.sentUpTo!.delete(key);
    if (this.sentUpTo!.size === 0) this.sentUpTo = null;
    return false;
  }

  /**
   * Writes the frame, or conflates it (latest per stream) while the client is behind, or closes a client
   * far behind. Behind is judged by time, from read receipts. The bytes Node holds conflate at once only
   * past half the hard limit: a burst the client reads as it comes (a restarted processor's backlog) can
   * fill the kernel's buffers and leave hundreds of KiB in Node for a moment (0.5 MB seen on a busy
   * machine, the client's receipts back within 250 ms), and conflating it lost updates (faults e2e); a
   * burst faster than any reader is still conflated before it reaches the limit that closes the client.
   */
  private deliverNow(symbol: string, frame: Buffer): void {
    if (!this.isOpen) return;
    const buffered = this.corked ? this.backlogAtCork : this.socket.bufferedAmount;
    const unreadTooLong = this.corked ? this.behindAtCork : this.receipts.isBehind();
    if (buffered > this.limits.maxBufferBytes) {
      this.closeAsTooSlow();
    } else if (this.conflated || unreadTooLong || 2 * buffered > this.limits.maxBufferBytes) {
      if (!this.conflated) {
        this.conflated = new Map();
        this.laggingSince = Date.now();
      } else if (this.conflated.has(symbol)) {
        this.stats.updatesConflated++;
      }
      this.conflated.set(symbol, frame);
    } else {
      this.write(frame);
    }
  }

  /**
   * Writes an update frame to the socket under the WebSocket, the frame built once for all subscribers;
   * `ws.send` would frame it again per client and write header and payload separately. Profiled at
   * 1,000 clients, `ws.send` was most of the gateway's time per update. Safe because the server does not
   * compress (no permessage-deflate) and so `ws` never queues frames: every frame is written whole, in order.
   */
  private write(frame: Buffer): void {
    const raw = this.corkBurst();
    if (raw) raw.write(updateFrame(frame));
    else this.socket.send(frame, { binary: false });
    this.stats.messagesSent++;
    this.receipts.wrote(frame.length);
  }

  /**
   * Holds this socket's writes until the current burst of updates is delivered. Quotes arrive from Redis
   * a round at a time (ioredis emits a whole TCP read's messages synchronously), and a client gets
   * several of them: profiled, a write syscall per frame per client was the gateway's main cost and
   * made the last client of a round wait for every send before it. Corked, each client gets one writev
   * per burst, on the next tick. `ws` corks around its own header+payload writes; corks nest.
   */
  private corkBurst(): Socket | null {
    if (this.corked) return this.corked;
    // RawSocketAccess reaches the net.Socket under `ws` (checked at start-up); without it, ws.send frame by frame.
    const raw = RawSocketAccess.of(this.socket);
    if (!raw) return null;
    this.backlogAtCork = this.socket.bufferedAmount;
    this.behindAtCork = this.receipts.isBehind();
    raw.cork();
    this.corked = raw;
    process.nextTick(uncork, this);
    return raw;
  }

  uncorkBurst(): void {
    const raw = this.corked;
    this.corked = null;
    raw?.uncork();
  }

  /**
   * Sends the conflated updates once the client has caught up, or closes it when it has lagged too long;
   * called periodically for lagging sessions, and when a read receipt comes back.
   */
  catchUp(): void {
    if (!this.conflated || !this.isOpen) return;
    if (this.socket.bufferedAmount > this.limits.slowBufferBytes || this.receipts.isBehind()) {
      if (Date.now() - this.laggingSince > this.limits.maxLagMs) this.closeAsTooSlow();
      return;
    }
    const latest = this.conflated;
    this.conflated = null;
    for (const frame of latest.values()) this.write(frame);
  }

  hold(): void {
    if (this.closed) return;
    this.held ??= [];
  }

  /** The latest held update of each symbol, in the order they arrived; the others count as conflated. */
  private latestHeld(held: HeldUpdate[]): HeldUpdate[] {
    const latest = new Map<string, HeldUpdate>();
    for (const update of held) {
      latest.delete(update.symbol);
      latest.set(update.symbol, update);
    }
    this.stats.updatesConflated += held.length - latest.size;
    return [...latest.values()];
  }

  /**
   * Sends what was held, skipping updates not newer than the snapshot just sent for their symbol, as it
   * will skip those that are still on their way.
   */
  release(snapshotSeqs: ReadonlyMap<string, number>): void {
    const held = this.held ?? [];
    this.held = null;
    if (snapshotSeqs.size > 0) {
      this.sentUpTo ??= new Map();
      for (const [key, seq] of snapshotSeqs) this.sentUpTo.set(key, seq);
    }
    for (const update of held) {
      if (update.seq > (snapshotSeqs.get(update.symbol) ?? -1)) this.deliver(update.symbol, update.seq, update.frame);
    }
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

  /** A client that does not read cannot receive a close frame either: close, then cut it off. */
  private closeAsTooSlow(): void {
    this.stats.slowClientsClosed++;
    this.conflated = null;
    this.socket.close(WsCloseCode.TRY_AGAIN_LATER, 'client too slow');
    setTimeout(() => this.socket.terminate(), TERMINATE_AFTER_CLOSE_MS).unref();
  }
}
