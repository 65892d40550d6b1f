/**
 * The time one turn of the event loop may spend delivering: fanning the feed's messages out to the clients'
 * outboxes and writing the outboxes to their sockets, together. Past it the rest waits for a later turn,
 * and the event loop reads its sockets in between, Redis's among them. Each read takes at most what the
 * kernel holds for the socket (its receive buffer, 128 KiB by default on Linux), so a turn that runs long
 * throttles the feed to that much per turn, and Redis holds the rest until it cuts the connection; the
 * backlog, which cuts what waits to the latest per stream, sees only what was read.
 *
 * The clock starts at the turn's first delivery work and stops at the next check phase (setImmediate),
 * so consecutive stretches of delivery share one budget whichever of fan-out or writing does them.
 * `writesLeft` is set by the writer when the budget stopped it before every outbox was written: fan-out
 * waits for those writes rather than queueing more behind them.
 */
export class DeliveryTurn {
  /** True while some outboxes a turn had to write are still unwritten (see OutboxWriter). */
  writesLeft = false;
  private open = false;
  private startedAt = 0;
  private readonly now: () => number;
  private readonly defer: (run: () => void) => void;

  constructor(
    readonly budgetMs: number,
    { now, defer }: { now?: () => number; defer?: (run: () => void) => void } = {},
  ) {
    this.now = now ?? (() => performance.now());
    this.defer = defer ?? ((run) => setImmediate(run));
  }

  /** True while the turn has spent less than its budget; the first call of a turn starts its clock. */
  hasTime(): boolean {
    const now = this.now();
    if (!this.open) {
      this.open = true;
      this.startedAt = now;
      this.defer(() => (this.open = false));
      return true;
    }
    return now - this.startedAt < this.budgetMs;
  }

  /** True when fan-out may go on: time is left and no earlier writes wait. */
  mayFanOut(): boolean {
    return !this.writesLeft && this.hasTime();
  }
}
