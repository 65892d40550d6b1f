import type { TokenBucket } from './token-bucket.js';

/** A refused message: the text of its RATE_LIMITED error, and whether it is the strike that closes the connection. */
export interface RateLimitRefusal {
  message: string;
  expel: boolean;
}

/**
 * One connection's message budget, a small state machine: `open` while it keeps to its bucket or has
 * struck fewer than `maxStrikes` times, `expelled` from the strike that closes it with 1008 on. Once
 * expelled, its further messages are dropped unanswered, so a flood after the verdict costs nothing.
 */
export class ConnectionBudget {
  private state: 'open' | 'expelled' = 'open';
  private strikes = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly maxStrikes: number,
  ) {}

  get expelled(): boolean {
    return this.state === 'expelled';
  }

  /** 'admitted' when the bucket has a token, 'dropped' once expelled, else a strike. */
  admit(nowMs: number, message: string): 'admitted' | 'dropped' | RateLimitRefusal {
    if (this.state === 'expelled') return 'dropped';
    return this.bucket.take(nowMs) ? 'admitted' : this.strike(message);
  }

  /** Counts a refusal; only the one that reaches `maxStrikes` expels. */
  strike(message: string): RateLimitRefusal {
    this.strikes++;
    if (this.state === 'open' && this.strikes >= this.maxStrikes) {
      this.state = 'expelled';
      return { message, expel: true };
    }
    return { message, expel: false };
  }
}
