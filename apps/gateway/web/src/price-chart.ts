import { AreaSeries, ColorType, createChart, LineType, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import type { PricePoint, SymbolQuotes } from './quote-book.js';
import { formatChange, formatChangePercent, formatPrice, priceDecimals } from './quote-format.js';

const THEME = {
  text: '#8a94a3',
  grid: 'rgba(138, 148, 163, 0.08)',
  line: '#3b82f6',
  areaTop: 'rgba(59, 130, 246, 0.32)',
  areaBottom: 'rgba(59, 130, 246, 0.02)',
};

/**
 * Until the history is this long, each new point re-fits the time axis, so a fresh chart spreads its
 * first seconds across the panel instead of bunching them at the right edge; after that it scrolls.
 */
const FIT_UNTIL_POINTS = 240;

/** lightweight-charts draws timestamps as UTC; shifting by the local offset makes the axis read local time. */
const LOCAL_SHIFT_S = -new Date().getTimezoneOffset() * 60;
const chartTime = (point: PricePoint) => (point.time + LOCAL_SHIFT_S) as UTCTimestamp;

export interface ChartHeading {
  symbol: HTMLElement;
  price: HTMLElement;
  change: HTMLElement;
}

/** The selected symbol's recent prices (one point per second) as an area chart, with its last price above. */
export class PriceChart {
  private readonly chart: IChartApi;
  private readonly series: ISeriesApi<'Area'>;
  private pointCount = 0;
  private symbol: string | null = null;
  private decimals = 2;

  constructor(
    container: HTMLElement,
    private readonly heading: ChartHeading,
  ) {
    const chart = (this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: THEME.text, fontSize: 12 },
      grid: { vertLines: { color: THEME.grid }, horzLines: { color: THEME.grid } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: true, rightOffset: 1 },
    }));
    this.series = chart.addSeries(AreaSeries, {
      lineColor: THEME.line,
      topColor: THEME.areaTop,
      bottomColor: THEME.areaBottom,
      lineWidth: 2,
      lineType: LineType.Simple,
    });
  }

  get shown(): string | null {
    return this.symbol;
  }

  /** Switches to `symbol` and draws the history it has so far (none yet is fine: ticks fill it in). */
  show(symbol: string | null, quotes: SymbolQuotes | undefined): void {
    this.symbol = symbol;
    this.series.setData(quotes ? quotes.points.map((p) => ({ time: chartTime(p), value: p.value })) : []);
    this.pointCount = quotes?.points.length ?? 0;
    this.chart.timeScale().fitContent();
    this.heading.symbol.textContent = symbol ?? 'No symbol selected';
    this.heading.price.textContent = '';
    this.heading.change.textContent = '';
    if (quotes) this.update(quotes);
  }

  /** Moves the newest point of the shown symbol; called at most once a frame. */
  update({ quote, points }: SymbolQuotes): void {
    const decimals = priceDecimals(quote.price);
    if (decimals !== this.decimals) {
      this.decimals = decimals;
      this.series.applyOptions({ priceFormat: { type: 'price', precision: decimals, minMove: 10 ** -decimals } });
    }
    const last = points[points.length - 1];
    this.series.update({ time: chartTime(last), value: last.value });
    if (points.length !== this.pointCount) {
      this.pointCount = points.length;
      if (points.length <= FIT_UNTIL_POINTS) this.chart.timeScale().fitContent();
    }
    this.heading.price.textContent = formatPrice(quote.price);
    this.heading.change.textContent = `${formatChange(quote.change, quote.price)} (${formatChangePercent(quote.changePercent)})`;
    this.heading.change.dataset.trend = quote.change > 0 ? 'up' : quote.change < 0 ? 'down' : 'flat';
  }
}
