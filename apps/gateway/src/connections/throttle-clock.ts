/** Something a ThrottleClock runs once its time has come, unless it was called off meanwhile. */
export interface ClockEntry {
  /** The tick the entry waits for; the clock runs it only while this still says so (0: called off). */
  tick: number;
  run(): void;
}

/** Flushes due within one tick share one timer, and so go out in one burst (one write per client). */
export const TICK_MS = 10;

/**
 * One timer per tick for every throttled stream of every client, instead of one timer per stream: at
 * tens of thousands of clients a timer each, each firing its own write syscall, is most of the gateway's
 * event loop, and that grows with every client connected, so accepting new ones would slow down as more
 * are connected. Entries due in the
 * same tick run in one callback, so a client's streams due together are written in one burst. An entry
 * runs at most one tick late. Live timers are bounded by the longest delay over TICK_MS, whatever the
 * number of clients.
 */
export class ThrottleClock {
  private readonly ticks = new Map<number, ClockEntry[]>();

  /** Runs `entry` at `dueAt` (epoch ms) or up to one tick later; returns the tick to store in it. */
  schedule(entry: ClockEntry, dueAt: number, now = Date.now()): number {
    const tick = Math.ceil(dueAt / TICK_MS);
    entry.tick = tick;
    let due = this.ticks.get(tick);
    if (!due) {
      due = [];
      this.ticks.set(tick, due);
      setTimeout(() => this.fire(tick), Math.max(0, tick * TICK_MS - now));
    }
    due.push(entry);
    return tick;
  }

  /** Calls `entry` off; it may still sit in its tick's list, where it is skipped. */
  cancel(entry: ClockEntry): void {
    entry.tick = 0;
  }

  private fire(tick: number): void {
    const due = this.ticks.get(tick);
    this.ticks.delete(tick);
    if (!due) return;
    for (const entry of due) {
      if (entry.tick !== tick) continue;
      entry.tick = 0;
      entry.run();
    }
  }
}

/** The clock every client's throttle shares. */
export const throttleClock = new ThrottleClock();
