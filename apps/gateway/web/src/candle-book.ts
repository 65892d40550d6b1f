import type { Bar } from '../../../../libs/contracts/src/bar.js';

/** How many 1-minute candles the chart holds and loads: four hours. */
export const CHART_CANDLES = 240;

/** What the chart must redraw after a bar: nothing, the newest candle, an older one in place, or everything. */
export type CandleChange = 'none' | 'latest' | 'historical' | 'all';

/**
 * The shown symbol's bars by start, from two sources that overlap: a REST page at load (and after a
 * reconnect, to fill the minutes missed) and the live `bar` stream. Of two versions of one bar the one
 * with the higher seq wins, and at equal seq the closed one, so neither source can move a candle back.
 */
export class CandleBook {
  private list: Bar[] = [];

  constructor(private readonly max = CHART_CANDLES) {}

  get bars(): readonly Bar[] {
    return this.list;
  }

  clear(): void {
    this.list = [];
  }

  /** Merges a page of bars; true when anything changed (the chart then redraws all). */
  load(bars: readonly Bar[]): boolean {
    let changed = false;
    for (const bar of bars) if (this.apply(bar) !== 'none') changed = true;
    return changed;
  }

  apply(bar: Bar): CandleChange {
    const list = this.list;
    const last = list[list.length - 1];
    if (!last || bar.start > last.start) {
      list.push(bar);
      if (list.length > this.max) list.splice(0, list.length - this.max);
      return 'latest';
    }
    const index = this.indexOf(bar.start);
    const held = list[index];
    if (held?.start === bar.start) {
      if (!isNewer(bar, held)) return 'none';
      list[index] = bar;
      return index === list.length - 1 ? 'latest' : 'historical';
    }
    if (index === 0 && list.length >= this.max) return 'none';
    list.splice(index, 0, bar);
    if (list.length > this.max) list.shift();
    return 'all';
  }

  /** The index of the first bar starting at or after `start` (binary search: the list is sorted). */
  private indexOf(start: number): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.list[mid].start < start) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function isNewer(bar: Bar, held: Bar): boolean {
  return bar.seq > held.seq || (bar.seq === held.seq && bar.closed && !held.closed);
}
