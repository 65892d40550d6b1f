import type { Socket } from 'node:net';
import { outboxWriter, type OutboxWriter } from './outbox-writer.js';

/** What an outbox writes to and asks about: the TCP socket under a client's WebSocket. */
export interface OutboxSocket {
  /** Bytes Node holds for the socket beyond what the kernel has taken (`ws`'s bufferedAmount). */
  readonly bufferedAmount: number;
  /** The net.Socket to write frames to, or null once the WebSocket is closing or closed. */
  raw(): Socket | null;
  /** Closes the client for holding more than the hard limit unsent (1013). */
  closeAsTooSlow(): void;
}

export interface OutboxLimits {
  /** Bytes held for a client (queued here plus Node's socket buffer) past which its updates are conflated. */
  slowBytes: number;
  /** Bytes Node holds for a client past which it is closed: reachable only through frames that are never conflated. */
  maxBytes: number;
}

export interface OutboxCounters {
  messagesSent: number;
  updatesConflated: number;
}

/** A frame waiting to be written: an update of a stream (conflatable), or a reply (`stream` null, never dropped). */
interface Entry {
  stream: string | null;
  frame: Buffer;
}

/**
 * One client's outgoing frames, already encoded as WebSocket frames, written once per turn of the event
 * loop in one corked write (one writev for everything the turn produced for the client), by the
 * OutboxWriter, within the turn's delivery budget.
 *
 * The slow-client rule, the only one: a client whose socket still holds more than `slowBytes` that the
 * kernel has not taken (it reads slower than it is written to), or for whom one turn brings more than
 * `maxBytes`, gets only the latest update of each stream until its socket has drained. A burst a client
 * reads as it comes is never cut: the kernel takes it. Replies, snapshots and replayed quotes are never
 * dropped, and no update is moved across one. A client for whom Node holds more than `maxBytes` (only
 * replies can get it there) is closed (1013).
 *
 * States: idle (nothing queued), queued (the writer writes it this turn, or first in a later one once the
 * turn's delivery budget is spent), waiting (over the bound; a flush follows the socket's `drain`), closed. Conflating is a flag of the queued and waiting states.
 */
export class ClientOutbox {
  private queue: Entry[] = [];
  private queuedBytes = 0;
  /** What Node's socket held when the turn's first frame was queued: what the kernel did not take. */
  private heldAtStart = 0;
  private conflating = false;
  private state: 'idle' | 'queued' | 'waiting' | 'closed' = 'idle';

  constructor(
    private readonly socket: OutboxSocket,
    private readonly limits: OutboxLimits,
    private readonly counters: OutboxCounters,
    private readonly writer: Pick<OutboxWriter, 'schedule'> = outboxWriter,
  ) {}

  /** True while updates are being conflated because the client does not read as fast as it is written to. */
  get isBehind(): boolean {
    return this.conflating;
  }

  /** An update of `stream`: in order with everything else, unless the client is behind (then the latest per stream). */
  update(stream: string, frame: Buffer): void {
    if (this.state === 'closed') return;
    if (this.conflating) return this.replaceLatest(stream, frame);
    this.enqueue(stream, frame);
    if (this.heldAtStart > this.limits.slowBytes || this.queuedBytes > this.limits.maxBytes) this.startConflating();
  }

  /** A frame that must arrive whole and in order (a reply, a snapshot, a replayed quote, a current bar). */
  reply(frame: Buffer): void {
    if (this.state === 'closed') return;
    this.enqueue(null, frame);
  }

  /** Forgets everything queued; nothing is written any more. Idempotent. */
  close(): void {
    this.state = 'closed';
    this.queue = [];
    this.queuedBytes = 0;
  }

  /** Writes what is queued, unless the socket is still over the bound (then it waits for `drain`). */
  flush(): void {
    if (this.state !== 'queued') return;
    const raw = this.socket.raw();
    if (!raw) return this.close();
    const held = this.socket.bufferedAmount;
    if (held > this.limits.maxBytes) {
      this.close();
      return this.socket.closeAsTooSlow();
    }
    // `drain` comes only after a write the socket refused (writableNeedDrain); below that there is room.
    if (this.conflating && held > this.limits.slowBytes && raw.writableNeedDrain) {
      this.state = 'waiting';
      raw.once('drain', () => this.drained());
      return;
    }
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.conflating = false;
    this.state = 'idle';
    raw.cork();
    for (const entry of queue) raw.write(entry.frame);
    raw.uncork();
    this.counters.messagesSent += queue.length;
  }

  private drained(): void {
    if (this.state !== 'waiting') return;
    this.state = 'queued';
    this.writer.schedule(this);
  }

  private enqueue(stream: string | null, frame: Buffer): void {
    if (this.state === 'idle') {
      this.state = 'queued';
      this.heldAtStart = this.socket.bufferedAmount;
      this.writer.schedule(this);
    }
    this.queue.push({ stream, frame });
    this.queuedBytes += frame.length;
  }

  /**
   * Cuts the queued updates to the latest of each stream, where the first of them stood. Replies stay, and
   * no update moves across one: what a reply answers (an unsubscribe, a snapshot) orders what follows it.
   */
  private startConflating(): void {
    this.conflating = true;
    const kept: Entry[] = [];
    let since = new Map<string, Entry>();
    let bytes = 0;
    for (const entry of this.queue) {
      const earlier = entry.stream === null ? undefined : since.get(entry.stream);
      if (earlier) {
        bytes += entry.frame.length - earlier.frame.length;
        earlier.frame = entry.frame;
        continue;
      }
      if (entry.stream === null) since = new Map();
      else since.set(entry.stream, entry);
      kept.push(entry);
      bytes += entry.frame.length;
    }
    this.counters.updatesConflated += this.queue.length - kept.length;
    this.queue = kept;
    this.queuedBytes = bytes;
  }

  /** Replaces the stream's update queued since the last reply, or queues it. */
  private replaceLatest(stream: string, frame: Buffer): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const entry = this.queue[i];
      if (entry.stream === null) break;
      if (entry.stream !== stream) continue;
      this.queuedBytes += frame.length - entry.frame.length;
      entry.frame = frame;
      this.counters.updatesConflated++;
      return;
    }
    this.enqueue(stream, frame);
  }
}
