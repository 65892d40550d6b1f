import { DEFAULT_SYMBOLS } from '../../../../libs/contracts/src/symbols.js';
import { MarketDataClient, type MarketDataError } from '../../../../libs/client/src/index.js';
import { AddSymbolForm } from './add-symbol-form.js';
import { CHART_CANDLES } from './candle-book.js';
import { ConnectionStatus } from './connection-status.js';
import { FrameScheduler } from './frame-scheduler.js';
import { GapNotice } from './gap-notice.js';
import { gatewayErrorOutcome } from './gateway-error.js';
import { PriceChart } from './price-chart.js';
import { QuoteBook } from './quote-book.js';
import { statusView } from './status-view.js';
import { WatchlistStore } from './watchlist-store.js';
import { WatchlistTable } from './watchlist-table.js';

/**
 * The wiring: the store says which symbols, the client brings their quotes (and the selected one's
 * 1-minute bars), the book keeps them, views draw.
 */
const $ = <T extends HTMLElement>(testid: string) => document.querySelector<T>(`[data-testid="${testid}"]`)!;

const store = new WatchlistStore(localStorage);
const book = new QuoteBook();
/** Symbols added by the user and not yet acknowledged by the gateway. */
const justAdded = new Set<string>();
let selected: string | null = null;

const table = new WatchlistTable($('watchlist-body'), $('watchlist-empty'), { select, remove });
const chart = new PriceChart($('price-chart'), { symbol: $('chart-symbol'), price: $('chart-price'), change: $('chart-change') });
const status = new ConnectionStatus($('connection-status'), $('connection-label'), $('connection-detail'));
const form = new AddSymbolForm($('add-symbol-form'), $('symbol-input'), $('watchlist-notice'), add);
const gaps = new GapNotice($('gap-notice'), $('gap-notice-text'), $('gap-notice-dismiss'));
const frame = new FrameScheduler(render);
const page = new URLSearchParams(location.search);
// A browser cannot set headers on a WebSocket: an `apiKey` or `token` in the page's address goes on in the query.
const client = new MarketDataClient({ url: socketUrl(), apiKey: page.get('apiKey') ?? undefined, token: page.get('token') ?? undefined });

client.on('state', (state) => {
  const view = statusView(state, navigator.onLine);
  status.show(view);
  document.body.dataset.connection = view.kind;
  // The quotes missed while away are replayed by the gateway (since); the minutes missed are fetched again.
  if (state.kind === 'open' && state.reconnect && selected) void loadBars(selected);
});
client.on('quote', (quote, origin) => {
  if (!store.has(quote.symbol)) return;
  if (origin === 'snapshot' ? book.applySnapshot(quote) : book.applyUpdate(quote)) frame.request();
});
client.on('bar', (bar) => {
  if (bar.symbol === chart.shown && bar.interval === '1m') chart.apply(bar);
});
client.on('gap', (gap) => {
  if (store.has(gap.symbol)) gaps.report(gap);
});
client.on('subscribed', (symbols) => {
  for (const symbol of symbols) justAdded.delete(symbol);
});
client.on('error', gatewayError);

$('known-symbols').append(...DEFAULT_SYMBOLS.map(({ symbol }) => new Option(symbol)));
table.setSymbols(store.symbols, (s) => book.get(s));
client.subscribe([...store.symbols]);
select(store.symbols[0] ?? null);
window.addEventListener('online', () => client.reconnectNow());
client.connect();

function gatewayError(error: MarketDataError): void {
  if (error.code === 'INVALID_FRAME') {
    console.warn(error.message);
    return;
  }
  const outcome = gatewayErrorOutcome(error, justAdded);
  for (const symbol of outcome.drop) forget(symbol);
  form.error(outcome.message);
}

/** Once per animation frame: only the rows whose symbol ticked since the last frame. */
function render(): void {
  for (const symbol of book.takeChanged()) {
    const quotes = book.get(symbol);
    if (!quotes) continue;
    table.render(symbol, quotes);
    if (symbol === chart.shown) chart.showQuote(quotes.quote);
  }
}

function add(symbol: string): string | null {
  if (!store.add(symbol)) return `${symbol} is already on your watchlist.`;
  justAdded.add(symbol);
  table.setSymbols(store.symbols, (s) => book.get(s));
  client.subscribe([symbol]);
  if (selected === null) select(symbol);
  return null;
}

function remove(symbol: string): void {
  forget(symbol);
  form.info(`Removed ${symbol}.`);
}

/** Takes a symbol off the list, the book, the screen and the gateway. */
function forget(symbol: string): void {
  store.remove(symbol);
  justAdded.delete(symbol);
  book.forget(symbol);
  gaps.forget(symbol);
  client.unsubscribe([symbol]);
  table.setSymbols(store.symbols, (s) => book.get(s));
  if (selected === symbol) select(store.symbols[0] ?? null);
}

function select(symbol: string | null): void {
  if (symbol !== null && symbol === selected) return;
  if (selected) client.unsubscribeBars([selected], '1m');
  selected = symbol;
  table.select(symbol);
  chart.show(symbol, symbol ? book.get(symbol)?.quote : undefined);
  if (!symbol) return;
  client.subscribeBars([symbol], '1m');
  void loadBars(symbol);
}

/** The last CHART_CANDLES minutes over REST, merged with what the bar stream brings meanwhile. */
async function loadBars(symbol: string): Promise<void> {
  try {
    const { bars } = await client.bars(symbol, { interval: '1m', limit: CHART_CANDLES });
    if (chart.shown === symbol) chart.load(bars);
  } catch (err) {
    // The live bars still draw the chart from now on; only the past is missing.
    console.warn(`Bar history of ${symbol} unavailable: ${(err as Error).message}`);
  }
}

/** The gateway socket on the host that served the page. */
function socketUrl(): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
