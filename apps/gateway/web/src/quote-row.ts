import type { SymbolQuotes } from './quote-book.js';
import { NO_VALUE, formatChange, formatChangePercent, formatPrice, formatVolume } from './quote-format.js';
import { sparklinePoints } from './sparkline-points.js';

const SVG = 'http://www.w3.org/2000/svg';
const SPARK_WIDTH = 96;
const SPARK_HEIGHT = 28;
const FLASH_MS = 400;
const FLASH = { up: 'rgba(46, 189, 133, 0.28)', down: 'rgba(246, 70, 93, 0.28)' };
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

type Cell = 'last' | 'change' | 'changePercent' | 'bid' | 'ask' | 'volume';
const CELLS: Cell[] = ['last', 'change', 'changePercent', 'bid', 'ask', 'volume'];

/** One watchlist row. It writes to the DOM only what changed, since it may render every frame. */
export class QuoteRow {
  readonly element: HTMLTableRowElement;
  private readonly cells = {} as Record<Cell, HTMLElement>;
  /** The last price sits in a pill of its own, so the flash is a rounded chip rather than the whole cell. */
  private readonly lastPrice: HTMLElement;
  private readonly shown = {} as Record<Cell, string>;
  private readonly selectButton: HTMLButtonElement;
  private readonly spark: SVGPolylineElement;
  private flash: Animation | undefined;
  private trend = '';

  constructor(readonly symbol: string) {
    this.element = document.createElement('tr');
    this.element.dataset.testid = 'quote-row';
    this.element.dataset.symbol = symbol;

    this.selectButton = button('symbol', symbol, `Show ${symbol} on the chart`, 'select-symbol');
    this.element.append(cell('th', this.selectButton, 'row'));
    this.lastPrice = document.createElement('span');
    this.lastPrice.className = 'tick';
    for (const name of CELLS) {
      const td = cell('td', name === 'last' ? this.lastPrice : '');
      td.className = 'num';
      td.dataset.testid = name === 'last' ? 'last-price' : kebab(name);
      this.cells[name] = name === 'last' ? this.lastPrice : td;
      this.cells[name].textContent = this.shown[name] = NO_VALUE;
      this.element.append(td);
    }

    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`);
    svg.setAttribute('width', String(SPARK_WIDTH));
    svg.setAttribute('height', String(SPARK_HEIGHT));
    svg.setAttribute('aria-hidden', 'true');
    svg.classList.add('sparkline');
    this.spark = document.createElementNS(SVG, 'polyline');
    svg.append(this.spark);
    const sparkCell = cell('td', svg);
    sparkCell.dataset.testid = 'sparkline';
    this.element.append(sparkCell);

    this.element.append(cell('td', button('remove', '×', `Remove ${symbol} from the watchlist`, 'remove-symbol')));
  }

  set selected(selected: boolean) {
    this.element.classList.toggle('selected', selected);
    this.selectButton.setAttribute('aria-pressed', String(selected));
  }

  render({ quote, direction, sparkline }: SymbolQuotes): void {
    this.write('last', formatPrice(quote.price));
    this.write('change', formatChange(quote.change, quote.price));
    this.write('changePercent', formatChangePercent(quote.changePercent));
    this.write('bid', formatPrice(quote.bid));
    this.write('ask', formatPrice(quote.ask));
    this.write('volume', formatVolume(quote.volume));

    const trend = quote.change > 0 ? 'up' : quote.change < 0 ? 'down' : 'flat';
    if (trend !== this.trend) {
      this.trend = trend;
      this.element.dataset.trend = trend;
    }
    this.spark.setAttribute('points', sparklinePoints(sparkline, SPARK_WIDTH, SPARK_HEIGHT, 2));
    this.spark.dataset.trend = sparkline[sparkline.length - 1] >= sparkline[0] ? 'up' : 'down';
    if (direction !== 'flat') this.flashTick(direction);
  }

  /** Restarts a short background fade on the price; at high tick rates each frame simply restarts it. */
  private flashTick(direction: 'up' | 'down'): void {
    this.element.dataset.tick = direction;
    if (reducedMotion.matches) return;
    this.flash?.cancel();
    this.flash = this.lastPrice.animate([{ backgroundColor: FLASH[direction] }, { backgroundColor: 'transparent' }], {
      duration: FLASH_MS,
      easing: 'ease-out',
    });
  }

  private write(name: Cell, text: string): void {
    if (this.shown[name] === text) return;
    this.shown[name] = text;
    this.cells[name].textContent = text;
  }
}

function cell(tag: 'td' | 'th', content: string | Node, scope?: string): HTMLTableCellElement {
  const element = document.createElement(tag);
  element.append(content);
  if (scope) element.scope = scope;
  return element;
}

function button(className: string, text: string, label: string, testid: string): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  element.textContent = text;
  element.title = label;
  element.setAttribute('aria-label', label);
  element.dataset.testid = testid;
  return element;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
