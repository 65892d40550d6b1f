/** The first retry waits at least this long, whatever the hint; each refused retry doubles it, up to capMs. */
export const RATE_LIMIT_RETRY = { minMs: 1000, capMs: 30_000 };

/**
 * When to send again what the gateway refused with RATE_LIMITED, a small state machine: `idle`, or
 * `waiting` with one timer. Any number of refusals while waiting keep that one timer, so a burst of
 * RATE_LIMITED answers leads to one resend, not one each. The wait is the gateway's hint
 * (`retryAfterMs`) or more: at least `minMs`, doubled for every resend refused in a row, capped at
 * `capMs`; an acknowledgement from the gateway ends the row. A refusal is a strike against the
 * connection on the gateway, so resending at once would soon get it closed.
 */
export class RateLimitRetry {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Resends made since the gateway last acknowledged anything. */
  private resends = 0;

  constructor(
    private readonly resend: () => void,
    private readonly policy = RATE_LIMIT_RETRY,
  ) {}

  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** A RATE_LIMITED answer: plans one resend unless one is already planned. */
  refused(retryAfterMs = 0): void {
    if (this.timer !== undefined) return;
    const backoff = this.policy.minMs * 2 ** Math.min(this.resends, 16);
    const delay = Math.min(this.policy.capMs, Math.max(retryAfterMs, backoff));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.resends++;
      this.resend();
    }, delay);
  }

  /** The gateway acknowledged a request: the next refusal waits the shortest time again. */
  acknowledged(): void {
    this.resends = 0;
  }

  /** Nothing to resend any more (a new connection restores everything, or the client closed). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.resends = 0;
  }
}
