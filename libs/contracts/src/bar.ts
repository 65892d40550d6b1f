/** Bar intervals the processor keeps and clients may ask for, with their length in ms. */
export const BAR_INTERVALS = { '1s': 1000, '1m': 60_000 } as const;
export type BarInterval = keyof typeof BAR_INTERVALS;
export const BAR_INTERVAL_NAMES = Object.keys(BAR_INTERVALS) as BarInterval[];

/**
 * One OHLC bar of a symbol, built by the processor from the same ticks as the quotes (each tick counted
 * once: the seq rule applies). `start` is the bar's open time in epoch ms, a multiple of the interval;
 * `volume` is what traded within the bar (the growth of the day volume); `seq` is the last tick's.
 * `closed` turns true once, when the first tick of a later bar arrives.
 */
export interface Bar {
  symbol: string;
  interval: BarInterval;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  ticks: number;
  seq: number;
  closed: boolean;
}
