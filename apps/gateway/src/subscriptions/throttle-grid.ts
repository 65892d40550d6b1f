/** What a throttled update is handed to: a session's gated path to its outbox (ClientSession.deliver). */
export interface ThrottledSubscriber {
  deliver(key: string, seq: number, frame: Buffer): void;
}

/**
 * The subscribers of one stream throttled to one interval, and the stream's newest update since the
 * last beat. Each subscriber maps to the number of updates the group had been offered when it joined:
 * it gets the pending update only if it came after that (what came before, it already has: from its
 * snapshot, from its earlier unthrottled or throttled membership).
 */
export class ThrottledGroup<S extends ThrottledSubscriber = ThrottledSubscriber> {
  readonly members = new Map<S, number>();
  private offers = 0;
  private pending: { seq: number; frame: Buffer; offer: number } | null = null;

  constructor(
    readonly key: string,
    readonly intervalMs: number,
  ) {}

  join(subscriber: S): void {
    if (!this.members.has(subscriber)) this.members.set(subscriber, this.offers);
  }

  /**
   * Takes `subscriber` out; `handOver` gives it the pending update at once (its throttle changed, and the
   * newest quote must not wait for a beat it no longer follows).
   */
  leave(subscriber: S, handOver: boolean): void {
    const joined = this.members.get(subscriber);
    if (joined === undefined) return;
    this.members.delete(subscriber);
    const pending = this.pending;
    if (handOver && pending && joined < pending.offer) subscriber.deliver(this.key, pending.seq, pending.frame);
  }

  /** Keeps the newest update; returns how many subscribers will not get the one it replaces. */
  offer(seq: number, frame: Buffer): number {
    const replaced = this.pending === null ? 0 : this.members.size;
    this.pending = { seq, frame, offer: ++this.offers };
    return replaced;
  }

  /** The beat: the pending update to every subscriber that joined before it came. */
  beat(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    for (const [subscriber, joined] of this.members) if (joined < pending.offer) subscriber.deliver(this.key, pending.seq, pending.frame);
  }
}

/**
 * The throttle of every client: per stream and interval one group, not per client, so an update costs
 * the same whether ten clients or ten thousand follow the stream throttled, and nothing is kept or timed
 * per client. One timer per interval in use, firing on the wall clock's multiples of the interval: every
 * group of an interval beats in the same turn, so a client's throttled streams go out in one write per
 * interval. A throttled client gets at most one update per stream per interval, the newest of it.
 */
export class ThrottleGrid {
  /** Per interval, the groups with an update waiting for the next beat; an entry exists while its timer is armed. */
  private readonly due = new Map<number, Set<ThrottledGroup<any>>>();

  constructor(
    private readonly onConflated: (count: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  offer(group: ThrottledGroup<any>, seq: number, frame: Buffer): void {
    const replaced = group.offer(seq, frame);
    if (replaced > 0) this.onConflated(replaced);
    let due = this.due.get(group.intervalMs);
    if (!due) {
      due = new Set();
      this.due.set(group.intervalMs, due);
      const interval = group.intervalMs;
      setTimeout(() => this.beat(interval), interval - (this.now() % interval));
    }
    due.add(group);
  }

  private beat(intervalMs: number): void {
    const due = this.due.get(intervalMs);
    this.due.delete(intervalMs);
    for (const group of due ?? []) group.beat();
  }
}
