export interface FanOutItem {
  key: string;
  head: string;
  json: string;
}

export interface BacklogOptions {
  /** Longest stretch of fan-out in one turn of the event loop before messages wait, conflated. */
  budgetMs: number;
  now?: () => number;
  defer?: (run: () => void) => void;
}

/**
 * Keeps the gateway reading Redis when fan-out cannot keep up. Messages fan out at once while the
 * current turn of the event loop has spent less than `budgetMs` on them; after that they wait in a
 * backlog that keeps only the latest message per stream (a quote is the symbol's full state) and is
 * worked off in later turns, between which the socket is read again. So a gateway that falls behind
 * sends every client the latest quote of each symbol a little later, instead of letting Redis cut its
 * connection at the output-buffer limit and lose everything in between. Memory: one entry per stream.
 */
export class FanOutBacklog {
  private readonly waiting = new Map<string, FanOutItem>();
  private sliceStart = 0;
  private inSlice = false;
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
    return this.waiting.size;
  }

  push(item: FanOutItem): void {
    if (this.waiting.size === 0 && this.withinBudget()) {
      this.fanOut(item);
      return;
    }
    if (this.waiting.has(item.key)) this.conflated++;
    else this.deferred++;
    this.waiting.set(item.key, item);
    if (!this.draining) {
      this.draining = true;
      this.defer(() => this.drain());
    }
  }

  private withinBudget(): boolean {
    const now = this.now();
    if (!this.inSlice) {
      this.inSlice = true;
      this.sliceStart = now;
      this.defer(() => (this.inSlice = false));
      return true;
    }
    return now - this.sliceStart < this.options.budgetMs;
  }

  private drain(): void {
    const start = this.now();
    for (const [key, item] of this.waiting) {
      this.waiting.delete(key);
      this.fanOut(item);
      if (this.now() - start >= this.options.budgetMs) break;
    }
    if (this.waiting.size > 0) this.defer(() => this.drain());
    else this.draining = false;
  }
}
