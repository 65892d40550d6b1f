/** What became of an update, by its seq against the last one held for its symbol. */
export type SeqVerdict =
  | { accepted: true; /** Seqs skipped between the last held and this one (0 when contiguous or not checked). */ missed: number; after: number | undefined }
  | { accepted: false; reason: 'duplicate' | 'stale' };

/**
 * The last seq the client holds per symbol. Updates at or below it are duplicates (a replay overlapping
 * the live stream) or stale (reordered) and are dropped; a jump above it by more than one is a gap,
 * when the caller says the stream should be contiguous (an unthrottled subscription). The seqs held
 * are what a re-subscribe after a drop sends as `since`.
 */
export class SeqTracker {
  private readonly last = new Map<string, number>();

  lastSeq(symbol: string): number | undefined {
    return this.last.get(symbol);
  }

  update(symbol: string, seq: number, contiguous: boolean): SeqVerdict {
    const last = this.last.get(symbol);
    if (last !== undefined && seq <= last) return { accepted: false, reason: seq === last ? 'duplicate' : 'stale' };
    this.last.set(symbol, seq);
    const missed = contiguous && last !== undefined ? seq - last - 1 : 0;
    return { accepted: true, missed, after: last };
  }

  /**
   * A snapshot quote, the gateway's latest stored one: taken unless it is the one held, even with a
   * lower seq. A generator starts its seqs at its start time in microseconds, so a restarted one
   * continues above what it published; a lower stored seq means the server's seqs went back (Redis lost
   * its data and a generator whose clock is behind the last one's refilled it, or the client now talks
   * to another deployment). Refusing it would drop every update until the new seqs pass the held one.
   */
  snapshot(symbol: string, seq: number): boolean {
    if (this.last.get(symbol) === seq) return false;
    this.last.set(symbol, seq);
    return true;
  }

  forget(symbol: string): void {
    this.last.delete(symbol);
  }

  /** `since` for a subscribe of these symbols: the last seq of each one held, or undefined if none is. */
  since(symbols: Iterable<string>): Record<string, number> | undefined {
    let since: Record<string, number> | undefined;
    for (const symbol of symbols) {
      const seq = this.last.get(symbol);
      if (seq !== undefined) (since ??= {})[symbol] = seq;
    }
    return since;
  }
}
