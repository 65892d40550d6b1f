import { CandlestickSeries, ColorType, createChart, type CandlestickData, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import type { Bar } from '../../../../libs/contracts/src/bar.js';
import type { Quote } from '../../../../libs/contracts/src/quote.js';
import { CandleBook } from './candle-book.js';
import { formatChange, formatChangePercent, formatPrice, priceDecimals } from './quote-format.js';

const THEME = {
  text: '#8a94a3',
  grid: 'rgba(138, 148, 163, 0.08)',
  up: '#2ebd85',
  down: '#f6465d',
};

/** Until there are this many candles each new one re-fits the time axis, so a young chart fills the panel; after that it scrolls. */
const FIT_UNTIL_CANDLES = 120;

/** lightweight-charts draws timestamps as UTC; shifting by the local offset makes the axis read local time. */
const LOCAL_SHIFT_S = -new Date().getTimezoneOffset() * 60;
const candle = (bar: Bar): CandlestickData<UTCTimestamp> => ({
  time: (bar.start / 1000 + LOCAL_SHIFT_S) as UTCTimestamp,
  open: bar.open,
  high: bar.high,
  low: bar.low,
  close: bar.close,
});

export interface ChartHeading {
  symbol: HTMLElement;
  price: HTMLElement;
  change: HTMLElement;
}

/**
 * The selected symbol's 1-minute candles, with its last price above. The container's `data-candles`
 * says how many are drawn (for tests and for the curious).
 */
export class PriceChart {
  private readonly chart: IChartApi;
  private readonly series: ISeriesApi<'Candlestick'>;
  private readonly book = new CandleBook();
  private symbol: string | null = null;
  private decimals = 2;

  constructor(
    private readonly container: HTMLElement,
    private readonly heading: ChartHeading,
  ) {
    const chart = (this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: THEME.text, fontSize: 12 },
      grid: { vertLines: { color: THEME.grid }, horzLines: { color: THEME.grid } },
      rightPriceScale: { borderVisible: false },
      // A young chart's few candles are fitted to the panel, but no wider than a candle looks.
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false, rightOffset: 2, maxBarSpacing: 24 },
    }));
    this.series = chart.addSeries(CandlestickSeries, {
      upColor: THEME.up,
      downColor: THEME.down,
      borderVisible: false,
      wickUpColor: THEME.up,
      wickDownColor: THEME.down,
    });
  }

  get shown(): string | null {
    return this.symbol;
  }

  /** Switches to `symbol` with no candles yet (they come over REST and the bar stream) and its last quote if known. */
  show(symbol: string | null, quote: Quote | undefined): void {
    this.symbol = symbol;
    this.book.clear();
    this.redraw();
    this.heading.symbol.textContent = symbol ?? 'No symbol selected';
    this.heading.price.textContent = '';
    this.heading.change.textContent = '';
    if (quote) this.showQuote(quote);
  }

  /** A page of bars of the shown symbol from REST, merged with what the stream already brought. */
  load(bars: readonly Bar[]): void {
    if (this.book.load(bars)) this.redraw();
  }

  /** A bar of the shown symbol from the stream. */
  apply(bar: Bar): void {
    const change = this.book.apply(bar);
    if (change === 'latest' || change === 'historical') {
      this.series.update(candle(bar), change === 'historical');
      this.counted();
    } else if (change === 'all') {
      this.redraw();
    }
  }

  /** The price heading; called at most once a frame. */
  showQuote(quote: Quote): void {
    const decimals = priceDecimals(quote.price);
    if (decimals !== this.decimals) {
      this.decimals = decimals;
      this.series.applyOptions({ priceFormat: { type: 'price', precision: decimals, minMove: 10 ** -decimals } });
    }
    this.heading.price.textContent = formatPrice(quote.price);
    this.heading.change.textContent = `${formatChange(quote.change, quote.price)} (${formatChangePercent(quote.changePercent)})`;
    this.heading.change.dataset.trend = quote.change > 0 ? 'up' : quote.change < 0 ? 'down' : 'flat';
  }

  private redraw(): void {
    this.series.setData(this.book.bars.map(candle));
    this.chart.timeScale().fitContent();
    this.container.dataset.candles = String(this.book.bars.length);
  }

  private counted(): void {
    const count = this.book.bars.length;
    if (this.container.dataset.candles === String(count)) return;
    this.container.dataset.candles = String(count);
    if (count <= FIT_UNTIL_CANDLES) this.chart.timeScale().fitContent();
  }
}
