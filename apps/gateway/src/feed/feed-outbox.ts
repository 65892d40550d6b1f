/** What the feed reader thread tells the gateway besides messages, in order with them. */
export type FeedControl =
  /** Subscriptions lost: these channels, or every one (null). */
  | { lost: string[] | null }
  | { resubscribe: true }
  /** The answer to a SUBSCRIBE or UNSUBSCRIBE the gateway asked for. */
  | { reply: number; error?: string };

/** A batch for the gateway: channel, payload, channel, payload..., with controls in between. */
export type FeedEvent = string | FeedControl;

export interface FeedBatch {
  events: FeedEvent[];
  /** Messages replaced by a newer one of their channel since the last batch. */
  conflated: number;
}

export interface OutboxOptions {
  /** Waiting messages past which only the latest per channel is kept. */
  maxWaiting: number;
}

/**
 * The feed reader thread's side of the hand-over (see WorkerFeedSubscriber): everything read from
 * Redis goes to the gateway's thread one batch at a time, the next only once that thread has taken the
 * last one. While it is busy, the reader keeps reading and messages wait here, in order; past
 * `maxWaiting` messages they are cut to the latest per channel (a quote is the symbol's whole state),
 * so a gateway thread that falls behind neither makes Redis cut the connection at its output-buffer
 * limit nor grows this queue without bound.
 *
 * There is no cut by age here: a short stall of the gateway's thread (a burst of fan-out, a GC) must not
 * drop updates that, read on that thread, would have waited in Redis's buffer; QuoteFeed's backlog cuts
 * by age, counted from when that thread takes them.
 *
 * Controls (a lost connection, a SUBSCRIBE's reply) keep their order; a cut puts the kept messages after
 * them, which is harmless (a message arrives only after its channel's SUBSCRIBE reply; one moved past
 * its UNSUBSCRIBE reply is dropped, as nobody wants it) and never moves a message before a control.
 */
export class FeedOutbox {
  private events: FeedEvent[] = [];
  private waiting = 0;
  private conflated = 0;
  private inFlight = false;

  constructor(private readonly options: OutboxOptions) {}

  get size(): number {
    return this.waiting;
  }

  message(channel: string, payload: string): void {
    this.events.push(channel, payload);
    this.waiting++;
    if (this.waiting > this.options.maxWaiting) this.keepLatest();
  }

  control(control: FeedControl): void {
    this.events.push(control);
  }

  /** The batch to send now, or null: nothing waits, or the last batch is not taken yet. */
  take(): FeedBatch | null {
    if (this.inFlight || this.events.length === 0) return null;
    const batch = { events: this.events, conflated: this.conflated };
    this.events = [];
    this.waiting = 0;
    this.conflated = 0;
    this.inFlight = true;
    return batch;
  }

  /** The gateway's thread has taken the last batch. */
  taken(): void {
    this.inFlight = false;
  }

  /** The controls, then the latest message of each channel in the order they arrived. */
  private keepLatest(): void {
    const kept: FeedEvent[] = [];
    const latest = new Map<string, string>();
    for (let i = 0; i < this.events.length; i++) {
      const event = this.events[i];
      if (typeof event !== 'string') {
        kept.push(event);
        continue;
      }
      latest.delete(event);
      latest.set(event, this.events[++i] as string);
    }
    for (const [channel, payload] of latest) kept.push(channel, payload);
    this.conflated += this.waiting - latest.size;
    this.waiting = latest.size;
    this.events = kept;
  }
}
