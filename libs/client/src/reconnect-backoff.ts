export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 15_000 };

/**
 * The wait before reconnect attempt `attempt` (0 for the first): exponential with full jitter, a uniform
 * pick below min(cap, base * 2^attempt). The jitter matters because a gateway restart drops every
 * client at once; without it they would all come back in the same millisecond, again and again.
 */
export function reconnectDelay(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
