export interface WantedSubscription<T> {
  /** What the caller asked for: a quote throttle, or the interval of a bar subscription. */
  value: T;
  /** The value the gateway last acknowledged on this connection; null until it has. */
  acked: T | null;
}

/**
 * One kind of subscription (quotes, or the bars of one interval) on one connection, per symbol a small
 * state machine:
 *
 *   wanted, unacknowledged --subscribe acked--> wanted, acknowledged
 *   wanted (either)        --caller drops-----> dropping --unsubscribe acked--> gone
 *   dropping               --caller wants-----> wanted, unacknowledged
 *
 * The caller's calls move a symbol; an acknowledgement settles only the state it answers, so a late
 * `subscribed` of a symbol dropped since leaves it dropping, and what is sent again after RATE_LIMITED
 * is always what the caller wants now. A new connection holds nothing: it forgets the drops and makes
 * every wanted symbol unacknowledged. `dropping` is bounded like `wanted`: one entry per symbol the
 * caller held, gone once the gateway acknowledges the unsubscribe, the caller wants it again, or the
 * connection is new.
 */
export class SubscriptionSet<T> {
  private readonly wanted = new Map<string, WantedSubscription<T>>();
  private readonly dropping = new Set<string>();

  get(symbol: string): WantedSubscription<T> | undefined {
    return this.wanted.get(symbol);
  }

  has(symbol: string): boolean {
    return this.wanted.has(symbol);
  }

  /** The symbols whose subscription this changes, to be sent now. */
  want(symbols: string[], value: T): string[] {
    const changed: string[] = [];
    for (const symbol of symbols) {
      if (this.wanted.get(symbol)?.value === value) continue;
      this.dropping.delete(symbol);
      this.wanted.set(symbol, { value, acked: null });
      changed.push(symbol);
    }
    return changed;
  }

  /** The symbols that were wanted, to be unsubscribed now. */
  drop(symbols: string[]): string[] {
    const dropped = symbols.filter((s) => this.wanted.delete(s));
    for (const symbol of dropped) this.dropping.add(symbol);
    return dropped;
  }

  subscribeAcknowledged(symbols: string[]): void {
    for (const symbol of symbols) {
      const subscription = this.wanted.get(symbol);
      if (subscription) subscription.acked = subscription.value;
    }
  }

  unsubscribeAcknowledged(symbols: string[]): void {
    for (const symbol of symbols) this.dropping.delete(symbol);
  }

  /** Symbols the gateway refused for good: neither wanted nor to be unsubscribed. */
  forget(symbols: string[]): void {
    for (const symbol of symbols) {
      this.wanted.delete(symbol);
      this.dropping.delete(symbol);
    }
  }

  /** A new connection: it holds nothing yet. */
  restart(): void {
    this.dropping.clear();
    for (const subscription of this.wanted.values()) subscription.acked = null;
  }

  /** The wanted symbols the gateway has not acknowledged, grouped by value. */
  unacknowledged(): Map<T, string[]> {
    const byValue = new Map<T, string[]>();
    for (const [symbol, subscription] of this.wanted) {
      if (subscription.acked !== null) continue;
      const group = byValue.get(subscription.value);
      if (group) group.push(symbol);
      else byValue.set(subscription.value, [symbol]);
    }
    return byValue;
  }

  /** The dropped symbols whose unsubscribe the gateway has not acknowledged. */
  unacknowledgedDrops(): string[] {
    return [...this.dropping];
  }
}
