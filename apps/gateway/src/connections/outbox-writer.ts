import { DELIVERY_BUDGET_MS } from './connections.constants.js';
import { DeliveryTurn } from './delivery-turn.js';

/** What the writer writes: an outbox with frames queued this turn. */
export interface WritableOutbox {
  flush(): void;
}

/**
 * The outboxes with something to write, written once the turn's I/O has been read: every message Redis
 * delivered in one read, or in several reads of the same poll, goes out to each client in one write.
 * Writing counts against the delivery turn's budget like fan-out: once it is spent, the outboxes not yet
 * written stay first in line for the next turn (at least one is written per turn, so all are in the
 * end), and `turn.writesLeft` holds fan-out back until they are.
 */
export class OutboxWriter {
  private due: WritableOutbox[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    readonly turn: DeliveryTurn,
    private readonly defer: (run: () => void) => void = (run) => setImmediate(run),
  ) {}

  schedule(outbox: WritableOutbox): void {
    this.due.push(outbox);
    this.runSoon();
  }

  private runSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    this.turn.hasTime(); // starts the turn's clock when writing is its first delivery work
    do this.due[this.head++].flush();
    while (this.head < this.due.length && this.turn.hasTime());
    if (this.head < this.due.length) {
      this.due = this.due.slice(this.head);
      this.head = 0;
      this.turn.writesLeft = true;
      return this.runSoon();
    }
    this.due = [];
    this.head = 0;
    this.turn.writesLeft = false;
  }
}

/** The gateway's one writer, and through `outboxWriter.turn` the budget fan-out shares with it. */
export const outboxWriter = new OutboxWriter(new DeliveryTurn(DELIVERY_BUDGET_MS));
