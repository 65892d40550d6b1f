import { BAR_INTERVALS, type Bar, type BarInterval, type Quote } from '#app/contracts';

/**
 * The bars a stream of ticks must produce, computed the plain way: the ticks newer than the last one
 * accepted count once, in order; a bar's volume is the growth of the day volume from the tick before.
 * The reference the processor's Lua script is checked against.
 */
export function referenceBars(ticks: Quote[], interval: BarInterval): Bar[] {
  const length = BAR_INTERVALS[interval];
  const bars: Bar[] = [];
  let lastSeq = -1;
  let lastVolume: number | undefined;
  for (const tick of ticks) {
    if (tick.seq <= lastSeq) continue;
    const traded = lastVolume === undefined ? 0 : tick.volume >= lastVolume ? tick.volume - lastVolume : tick.volume;
    lastSeq = tick.seq;
    lastVolume = tick.volume;
    const start = Math.floor(tick.timestamp / length) * length;
    const bar = bars.at(-1);
    if (bar && bar.start === start) {
      bar.high = Math.max(bar.high, tick.price);
      bar.low = Math.min(bar.low, tick.price);
      bar.close = tick.price;
      bar.volume += traded;
      bar.ticks++;
      bar.seq = tick.seq;
    } else {
      if (bar) bar.closed = true;
      const { symbol, price } = tick;
      bars.push({ symbol, interval, start, open: price, high: price, low: price, close: price, volume: traded, ticks: 1, seq: tick.seq, closed: false });
    }
  }
  return bars;
}
