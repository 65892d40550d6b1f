/** The two commands a channel needs from the pub/sub connection. */
export interface PubSubCommands {
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
}

export type ChannelState = 'idle' | 'subscribing' | 'live' | 'unsubscribing';

export interface ChannelOptions {
  /** Delay before retry `attempt` (1, 2, ...) of a SUBSCRIBE that failed. */
  retryDelayMs: (attempt: number) => number;
  onRetry?: (channel: string, err: Error, attempt: number) => void;
  /** Called once the channel is idle and nobody wants it, so its owner can forget it. */
  onIdle?: (channel: string) => void;
}

/**
 * One Redis channel as a small state machine: idle -> subscribing -> live -> unsubscribing -> idle.
 * `wanted` says what the gateway needs; one loop at a time moves the state towards it, re-reading
 * `wanted` after every await, so a release during a SUBSCRIBE or a want during an UNSUBSCRIBE ends
 * in the right state. A failed SUBSCRIBE is retried with back-off for as long as the channel is
 * wanted. Everyone who needs the channel live waits on the one `live` promise, which also resolves when
 * the channel goes idle with nobody wanting it: a waiter must never hang on a channel that will not come.
 */
export class ChannelSubscription {
  private current: ChannelState = 'idle';
  private wanted = false;
  private liveSignal = signal();
  private driving = false;
  private wakeUp: (() => void) | null = null;
  private attempts = 0;

  constructor(
    readonly channel: string,
    private readonly redis: PubSubCommands,
    private readonly options: ChannelOptions,
  ) {}

  get state(): ChannelState {
    return this.current;
  }

  get isWanted(): boolean {
    return this.wanted;
  }

  /**
   * Resolves once the channel is live, or once it is released and idle (then nothing is coming: a waiter
   * re-checks what it still wants, as the subscription service does). Stays pending while Redis refuses a
   * wanted channel. Resolved rather than rejected: nothing failed, and `want()` callers do not catch.
   */
  get live(): Promise<void> {
    return this.liveSignal.promise;
  }

  want(): Promise<void> {
    this.wanted = true;
    this.drive();
    return this.live;
  }

  release(): void {
    this.wanted = false;
    this.drive();
  }

  /** The connection dropped and took every subscription with it; a later `resubscribe` restores it. */
  connectionLost(): void {
    if (this.current !== 'live') return;
    this.current = 'idle';
    this.liveSignal = signal();
  }

  /** The connection is back: subscribe again now if wanted, cutting any back-off short. */
  resubscribe(): void {
    this.drive();
  }

  private drive(): void {
    if (this.driving) {
      this.wakeUp?.();
      return;
    }
    this.driving = true;
    void this.converge().finally(() => {
      this.driving = false;
      if (this.current === 'idle' && !this.wanted) this.becameIdle();
      else if (this.wanted !== (this.current === 'live')) this.drive();
    });
  }

  /** Nobody wants the channel and it is not subscribed: waiters are let go, later wanters get a fresh promise. */
  private becameIdle(): void {
    this.liveSignal.resolve();
    this.liveSignal = signal();
    this.options.onIdle?.(this.channel);
  }

  private async converge(): Promise<void> {
    for (;;) {
      if (this.wanted && this.current !== 'live') {
        await this.subscribeOnce();
      } else if (!this.wanted && this.current === 'live') {
        this.current = 'unsubscribing';
        this.liveSignal = signal();
        // A failed UNSUBSCRIBE means the connection is gone, and the subscription with it.
        await this.redis.unsubscribe(this.channel).catch(() => undefined);
        this.current = 'idle';
      } else {
        return;
      }
    }
  }

  private async subscribeOnce(): Promise<void> {
    this.current = 'subscribing';
    try {
      await this.redis.subscribe(this.channel);
    } catch (err) {
      this.current = 'idle';
      this.attempts++;
      this.options.onRetry?.(this.channel, err as Error, this.attempts);
      if (this.wanted) await this.pause(this.options.retryDelayMs(this.attempts));
      return;
    }
    this.attempts = 0;
    this.current = 'live';
    this.liveSignal.resolve();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

function signal() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
