/**
 * A token bucket in memory: `burst` tokens to start, refilled at `perSecond`, one taken per message.
 * Time comes from the caller (a monotonic clock), so a wall-clock step cannot refill or drain it.
 */
export class TokenBucket {
  private tokens: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private updatedAt: number,
  ) {
    this.tokens = burst;
  }

  /** Takes a token at `nowMs` if there is one. */
  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.updatedAt = Math.max(this.updatedAt, nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
