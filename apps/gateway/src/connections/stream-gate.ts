/** Updates one stream's gate keeps while its snapshot is read; past it only the newest is kept. */
export const MAX_GATED_UPDATES = 1000;

interface Gated {
  seq: number;
  frame: Buffer;
}

/**
 * The seam between a stream's snapshot (or replay) and its live updates, for one client and one stream.
 * The snapshot is read on the command connection while updates keep arriving on the pub/sub one, so:
 *   - reading: updates of the stream are kept, in order (the client's other streams flow on);
 *   - open: the snapshot reached `sentSeq`; kept updates newer than it go out, and updates still on their
 *     way that the snapshot already covered are skipped, until the first newer one ends the gate.
 * A quote stream passes seqs above `sentSeq`. A bar stream passes `sentSeq` itself too: the bar sent may
 * close later under the same seq, and a bar frame is the bar's whole state, so sending it again is harmless.
 */
export class StreamGate {
  private kept: Gated[] | null = [];
  private sentSeq = -1;
  private done = false;
  dropped = 0;

  constructor(private readonly inclusive: boolean) {}

  get isReading(): boolean {
    return this.kept !== null;
  }

  /** While reading: keeps the update and returns true. Once open: true when the snapshot already covered it. */
  holds(seq: number, frame: Buffer): boolean {
    if (this.kept) {
      this.kept.push({ seq, frame });
      if (this.kept.length > MAX_GATED_UPDATES) this.dropped += this.kept.splice(0, this.kept.length - 1).length;
      return true;
    }
    return !this.passes(seq);
  }

  /** True once an update beyond the snapshot has passed: the gate has nothing left to do. */
  get isDone(): boolean {
    return this.done;
  }

  /**
   * The snapshot is sent up to `sentSeq` (undefined: nothing was sent, every update is new). Returns the
   * kept updates to send now, in order.
   */
  open(sentSeq: number | undefined): Buffer[] {
    const kept = this.kept ?? [];
    this.kept = null;
    this.sentSeq = sentSeq ?? -1;
    const out: Buffer[] = [];
    for (const update of kept) if (this.passes(update.seq)) out.push(update.frame);
    return out;
  }

  private passes(seq: number): boolean {
    if (this.done) return true;
    if (seq > this.sentSeq) this.done = true;
    return this.done || (this.inclusive && seq === this.sentSeq);
  }
}
