/**
 * The primary's count of open connections per client address over every worker, so
 * WS_MAX_CONNECTIONS_PER_IP holds for the port and not per process. Counted per worker too: a worker
 * that dies takes its connections with it, and `forget` gives their places back.
 */
export class AddressLedger {
  private readonly total = new Map<string, number>();
  private readonly byWorker = new Map<number, Map<string, number>>();

  /** Takes a place for `key` when it holds fewer than `cap`; false, and nothing taken, otherwise. */
  claim(worker: number, key: string, cap: number): boolean {
    const held = this.total.get(key) ?? 0;
    if (held >= cap) return false;
    this.total.set(key, held + 1);
    let mine = this.byWorker.get(worker);
    if (!mine) this.byWorker.set(worker, (mine = new Map()));
    mine.set(key, (mine.get(key) ?? 0) + 1);
    return true;
  }

  /** Gives back one place of `key` held by `worker`; a release it does not hold is ignored. */
  release(worker: number, key: string): void {
    const mine = this.byWorker.get(worker);
    const held = mine?.get(key) ?? 0;
    if (held === 0) return;
    if (held === 1) mine!.delete(key);
    else mine!.set(key, held - 1);
    this.drop(key, 1);
  }

  /** Gives back every place `worker` held (it exited). */
  forget(worker: number): void {
    const mine = this.byWorker.get(worker);
    this.byWorker.delete(worker);
    for (const [key, held] of mine ?? []) this.drop(key, held);
  }

  held(key: string): number {
    return this.total.get(key) ?? 0;
  }

  private drop(key: string, count: number): void {
    const left = (this.total.get(key) ?? 0) - count;
    if (left > 0) this.total.set(key, left);
    else this.total.delete(key);
  }
}
