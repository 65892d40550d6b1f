import type { DeliveryTurn } from '../connections/delivery-turn.js';

export interface FanOutItem {
  key: string;
  head: string;
  json: string;
  /** Never replaced by a later message of its stream (a bar's closing frame: the bar's final values). */
  keep?: boolean;
  /** When it started waiting (set by the backlog). */
  waitingSince?: number;
}

export interface BacklogOptions {
  /** The turn's delivery budget, shared with the writes fan-out queues (see DeliveryTurn). */
  turn: Pick<DeliveryTurn, 'mayFanOut'>;
  /** Waiting messages past which only the latest per stream is kept. */
  maxWaiting: number;
  /** How long the oldest waiting message may wait before only the latest per stream is kept. */
  maxWaitMs: number;
  now?: () => number;
  defer?: (run: () => void) => void;
}

/**
 * Keeps the gateway reading Redis when delivery cannot keep up. Messages fan out at once while the
 * current turn of the event loop is within its delivery budget, which the writes that fan-out queues
 * spend too, and no writes of an earlier turn are left (see DeliveryTurn); otherwise they wait, in
 * order, and are worked off in later turns, between which the socket is read again. Nothing is lost
 * while fewer than `maxWaiting` wait and none has waited `maxWaitMs` (a burst, a busy machine). Past
 * that the gateway is falling behind for good: the waiting messages are cut down to the latest per
 * stream (a quote is the
 * symbol's full state), so every client still ends on the latest quote of each symbol, memory stays
 * bounded, and Redis never cuts the connection at its output-buffer limit, which lost everything.
 */
export class FanOutBacklog {
  private waiting: FanOutItem[] = [];
  private head = 0;
  private draining = false;
  conflated = 0;
  deferred = 0;
  private readonly now: () => number;
  private readonly defer: (run: () => void) => void;

  constructor(
    private readonly fanOut: (item: FanOutItem) => void,
    private readonly options: BacklogOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.defer = options.defer ?? ((run) => setImmediate(run));
  }

  get size(): number {
    return this.waiting.length - this.head;
  }

  /** Entries the backlog holds, fanned out or not: what its memory is (a spec checks it stays bounded). */
  get held(): number {
    return this.waiting.length;
  }

  push(item: FanOutItem): void {
    if (this.size === 0 && this.options.turn.mayFanOut()) {
      this.fanOut(item);
      return;
    }
    this.deferred++;
    const now = this.now();
    item.waitingSince = now;
    this.waiting.push(item);
    if (this.size > this.options.maxWaiting || this.waitedTooLong(now)) this.keepLatest(now);
    if (!this.draining) {
      this.draining = true;
      this.defer(() => this.drain());
    }
  }

  /** The latest waiting message of each stream, in the order they arrived; they wait afresh from `now`. */
  private keepLatest(now: number): void {
    const latest = new Map<string | FanOutItem, FanOutItem>();
    for (let i = this.head; i < this.waiting.length; i++) {
      const item = this.waiting[i];
      item.waitingSince = now;
      const key = item.keep ? item : item.key;
      latest.delete(key);
      latest.set(key, item);
    }
    this.conflated += this.size - latest.size;
    this.waiting = [...latest.values()];
    this.head = 0;
  }

  private waitedTooLong(now: number): boolean {
    return now - this.waiting[this.head].waitingSince! > this.options.maxWaitMs;
  }

  /**
   * Works off waiting messages while the turn's budget lasts. The wait is checked here too, not only when
   * a message arrives: after the last one of a burst nothing else arrives, and the backlog would otherwise
   * send every stale message before the latest, for as long as the whole backlog takes.
   */
  private drain(): void {
    const start = this.now();
    if (this.size > 0 && this.waitedTooLong(start)) this.keepLatest(start);
    while (this.head < this.waiting.length && this.options.turn.mayFanOut()) this.fanOut(this.waiting[this.head++]);
    if (this.head >= this.waiting.length) {
      this.waiting = [];
      this.head = 0;
      this.draining = false;
    } else {
      // What is fanned out is dropped once it is most of the array: a backlog that never empties
      // (hovering under its cap) must not keep every message it ever held.
      if (this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      this.defer(() => this.drain());
    }
  }
}
