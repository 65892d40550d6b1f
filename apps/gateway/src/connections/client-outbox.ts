import type { Socket } from 'node:net';

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
 * loop in one corked write (one writev for everything the turn produced for the client).
 *
 * The slow-client rule, the only one: while the bytes held for a client (queued here plus what Node's
 * socket still holds) are above `slowBytes`, its waiting updates are cut to the latest of each stream,
 * and nothing more is written to it until its socket has drained. Replies, snapshots and replayed quotes
 * are never dropped. A client whose socket still holds more than `maxBytes` is closed (1013).
 *
 * States: idle (nothing queued), queued (a flush is scheduled for this turn), waiting (the socket is over
 * the bound; a flush follows its `drain`), closed. Conflating is a flag of the queued and waiting states.
 */
export class ClientOutbox {
  private queue: Entry[] = [];
  private queuedBytes = 0;
  /** Node's socket buffer when the first frame of the turn was queued: the burst itself is not backlog. */
  private heldAtStart = 0;
  private conflating = false;
  private state: 'idle' | 'queued' | 'waiting' | 'closed' = 'idle';

  constructor(
    private readonly socket: OutboxSocket,
    private readonly limits: OutboxLimits,
    private readonly counters: OutboxCounters,
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
    if (this.heldAtStart + this.queuedBytes > this.limits.slowBytes) this.startConflating();
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
    if (this.conflating && held > this.limits.slowBytes) {
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
    flushes.schedule(this);
  }

  private enqueue(stream: string | null, frame: Buffer): void {
    if (this.state === 'idle') {
      this.state = 'queued';
      this.heldAtStart = this.socket.bufferedAmount;
      flushes.schedule(this);
    }
    this.queue.push({ stream, frame });
    this.queuedBytes += frame.length;
  }

  /** Cuts the queued updates to the latest of each stream, where the first of them stood; replies stay. */
  private startConflating(): void {
    this.conflating = true;
    const latest = new Map<string, Entry>();
    for (const entry of this.queue) if (entry.stream !== null) latest.set(entry.stream, entry);
    const kept: Entry[] = [];
    const placed = new Set<string>();
    let bytes = 0;
    for (const entry of this.queue) {
      let keep: Entry | undefined = entry;
      if (entry.stream !== null) keep = placed.has(entry.stream) ? undefined : latest.get(entry.stream);
      if (!keep) continue;
      if (keep.stream !== null) placed.add(keep.stream);
      kept.push(keep);
      bytes += keep.frame.length;
    }
    this.counters.updatesConflated += this.queue.length - kept.length;
    this.queue = kept;
    this.queuedBytes = bytes;
  }

  private replaceLatest(stream: string, frame: Buffer): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const entry = this.queue[i];
      if (entry.stream !== stream) continue;
      this.queuedBytes += frame.length - entry.frame.length;
      entry.frame = frame;
      this.counters.updatesConflated++;
      return;
    }
    this.enqueue(stream, frame);
  }
}

/**
 * The outboxes with something to write this turn, flushed together once the turn's I/O has been read:
 * every message Redis delivered in one read, or in several reads of the same poll, goes out to each client
 * in one write.
 */
class FlushSchedule {
  private due: ClientOutbox[] = [];
  private scheduled = false;

  schedule(outbox: ClientOutbox): void {
    this.due.push(outbox);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const due = this.due;
    this.due = [];
    for (const outbox of due) outbox.flush();
  }
}

const flushes = new FlushSchedule();
