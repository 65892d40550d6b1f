import { throttleClock, type ClockEntry, type ThrottleClock } from './throttle-clock.js';

interface Slot extends ClockEntry {
  intervalMs: number;
  lastSentAt: number;
  pending: Buffer | null;
}

/**
 * A client's throttled streams: at most one update per stream every `intervalMs`, the latest one. An
 * update inside the interval replaces the one waiting (counted as conflated) and goes out when the
 * interval ends, so the client always ends up with the newest quote. Waiting streams share the
 * clock's timers (see ThrottleClock), not one timer each.
 */
export class UpdateThrottle {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly emit: (key: string, frame: Buffer) => void,
    private readonly onConflated: () => void,
    private readonly clock: ThrottleClock = throttleClock,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** Throttles `key` to `intervalMs` (0 removes the throttle, dropping nothing: a waiting update goes out now). */
  set(key: string, intervalMs: number): void {
    const slot = this.slots.get(key);
    if (intervalMs === 0) {
      if (slot) this.flush(key, slot);
      this.forget(key);
      return;
    }
    if (slot) slot.intervalMs = intervalMs;
    else {
      const slot: Slot = { intervalMs, lastSentAt: 0, pending: null, tick: 0, run: () => this.flush(key, slot) };
      this.slots.set(key, slot);
    }
  }

  /** Forgets `key`'s throttle and any update waiting in it (the client unsubscribed). */
  forget(key: string): void {
    const slot = this.slots.get(key);
    if (slot) this.clock.cancel(slot);
    this.slots.delete(key);
  }

  /** True when the update may go out now; otherwise it waits for the interval's end, the newest one kept. */
  admit(key: string, frame: Buffer, now = Date.now()): boolean {
    const slot = this.slots.get(key);
    if (!slot) return true;
    if (slot.pending === null && now - slot.lastSentAt >= slot.intervalMs) {
      slot.lastSentAt = now;
      return true;
    }
    if (slot.pending !== null) this.onConflated();
    slot.pending = frame;
    if (slot.tick === 0) this.clock.schedule(slot, slot.lastSentAt + slot.intervalMs, now);
    return false;
  }

  clear(): void {
    for (const key of [...this.slots.keys()]) this.forget(key);
  }

  private flush(key: string, slot: Slot): void {
    this.clock.cancel(slot);
    const frame = slot.pending;
    slot.pending = null;
    if (frame === null || this.slots.get(key) !== slot) return;
    slot.lastSentAt = Date.now();
    this.emit(key, frame);
  }
}
