/** Updates one stream's gate keeps while its snapshot is read; past it only the newest is kept. */
export const MAX_GATED_UPDATES = 1000;

export interface Gated {
  seq: number;
  frame: Buffer;
  closes: boolean;
}

/**
 * The seam between a stream's snapshot (or replay) and its live updates, for one client and one stream.
 * The snapshot is read on the command connection while updates keep arriving on the pub/sub one, so:
 *   - reading: updates of the stream are kept, in order (the client's other streams flow on);
 *   - open: the snapshot reached `sentSeq`; kept updates newer than it go out, and updates still on their
 *     way that the snapshot already covered are skipped, until the first newer one ends the gate.
 * Seqs above `sentSeq` pass. So does the frame that closes the bar sent: a bar closes under the seq of
 * its last tick, the one the snapshot read.
 */
export class StreamGate {
  private kept: Gated[] | null = [];
  private sentSeq = -1;
  private done = false;
  dropped = 0;

  get isReading(): boolean {
    return this.kept !== null;
  }

  /** While reading: keeps the update and returns true. Once open: true when the snapshot already covered it. */
  holds(seq: number, frame: Buffer, closes = false): boolean {
    if (this.kept) {
      this.kept.push({ seq, frame, closes });
      if (this.kept.length > MAX_GATED_UPDATES) this.dropped += this.kept.splice(0, this.kept.length - 1).length;
      return true;
    }
    return !this.passes(seq, closes);
  }

  /** True once an update beyond the snapshot has passed: the gate has nothing left to do. */
  get isDone(): boolean {
    return this.done;
  }

  /**
   * The snapshot is sent up to `sentSeq` (undefined: nothing was sent, every update is new). Returns the
   * kept updates to send now, in order.
   */
  open(sentSeq: number | undefined): Gated[] {
    const kept = this.kept ?? [];
    this.kept = null;
    this.sentSeq = sentSeq ?? -1;
    return kept.filter((update) => this.passes(update.seq, update.closes));
  }

  private passes(seq: number, closes: boolean): boolean {
    if (this.done) return true;
    if (seq > this.sentSeq) this.done = true;
    return this.done || (closes && seq === this.sentSeq);
  }
}
