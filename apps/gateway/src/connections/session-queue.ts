export type SessionTask = () => Promise<void>;

/**
 * A client's requests, run one at a time in arrival order so a subscribe finishes before the next
 * request starts. Bounded: `push` refuses past `limit` waiting tasks. A task that throws is reported
 * and the queue goes on with the next; once closed, waiting tasks are dropped and new ones refused.
 * `onIdle` runs each time the queue runs dry (not once closed), so its owner can let go of it until
 * the next request.
 */
export class SessionQueue {
  private readonly waiting: SessionTask[] = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly limit: number,
    private readonly onError: (err: unknown) => void,
    private readonly onIdle: () => void = () => undefined,
  ) {}

  get length(): number {
    return this.waiting.length;
  }

  /** False when the queue is closed or full; the task is then not run. */
  push(task: SessionTask): boolean {
    if (this.closed || this.waiting.length >= this.limit) return false;
    this.waiting.push(task);
    this.running ??= this.drain();
    return true;
  }

  close(): void {
    this.closed = true;
    this.waiting.length = 0;
  }

  /** Resolves once every task pushed so far has run (or been dropped). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (let task = this.waiting.shift(); task && !this.closed; task = this.waiting.shift()) {
        try {
          await task();
        } catch (err) {
          if (!this.closed) this.onError(err);
        }
      }
    } finally {
      this.running = null;
      if (!this.closed && this.waiting.length === 0) this.onIdle();
    }
  }
}
