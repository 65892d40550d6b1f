import { WebSocket } from 'ws';
import type { ServerMessage } from '#app/contracts';

interface HeldUpdate {
  symbol: string;
  seq: number;
  frame: Buffer;
}

let nextId = 0;

/** One connected client: its socket, its symbols, and a queue that runs its requests one at a time. */
export class ClientSession {
  readonly id = ++nextId;
  readonly symbols = new Set<string>();
  /** Updates that arrive while a snapshot is being read; sent after it so seq never goes backwards. */
  private held: HeldUpdate[] | null = null;
  private queue: Promise<void> = Promise.resolve();
  rateLimitStrikes = 0;
  alive = true;

  constructor(readonly socket: WebSocket) {}

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(message: ServerMessage): void {
    if (this.isOpen) this.socket.send(JSON.stringify(message));
  }

  /** The hot path: one pre-serialised update frame, shared by every subscriber of the symbol. */
  deliver(symbol: string, seq: number, frame: Buffer): void {
    if (this.held) this.held.push({ symbol, seq, frame });
    else if (this.isOpen) this.socket.send(frame, { binary: false });
  }

  hold(): void {
    this.held ??= [];
  }

  /** Sends what was held, skipping updates not newer than the snapshot just sent for their symbol. */
  release(snapshotSeqs: ReadonlyMap<string, number>): void {
    const held = this.held ?? [];
    this.held = null;
    for (const update of held) {
      if (update.seq > (snapshotSeqs.get(update.symbol) ?? -1)) this.deliver(update.symbol, update.seq, update.frame);
    }
  }

  /** Runs tasks of this session in arrival order, so a subscribe finishes before the next request starts. */
  enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task);
    return this.queue;
  }
}
