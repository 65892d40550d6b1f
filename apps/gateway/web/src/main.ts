import { DEFAULT_SYMBOLS } from '../../../../libs/contracts/src/symbols.js';
import type { Quote } from '../../../../libs/contracts/src/quote.js';
import type { ServerMessage } from '../../../../libs/contracts/src/ws-messages.js';
import { AddSymbolForm } from './add-symbol-form.js';
import { ConnectionStatus } from './connection-status.js';
import { FrameScheduler } from './frame-scheduler.js';
import { gatewayErrorOutcome } from './gateway-error.js';
import { PriceChart } from './price-chart.js';
import { QuoteBook } from './quote-book.js';
import { QuoteSocket } from './quote-socket.js';
import { WatchlistStore } from './watchlist-store.js';
import { WatchlistTable } from './watchlist-table.js';

/** The wiring: the store says which symbols, the socket brings their quotes, the book keeps them, views draw. */
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
const frame = new FrameScheduler(render);
const socket = new QuoteSocket(socketUrl(), {
  opened: () => {
    if (store.symbols.length > 0) socket.send({ action: 'subscribe', payload: { symbols: [...store.symbols] } });
  },
  message: received,
  state: (state) => {
    status.show(state);
    document.body.dataset.connection = state.kind;
  },
});

$('known-symbols').append(...DEFAULT_SYMBOLS.map(({ symbol }) => new Option(symbol)));
table.setSymbols(store.symbols, (s) => book.get(s));
select(store.symbols[0] ?? null);
socket.start();

function received(message: ServerMessage): void {
  switch (message.type) {
    case 'update':
      if (store.has(message.payload.symbol) && book.applyUpdate(message.payload)) frame.request();
      break;
    case 'snapshot':
      applySnapshot(message.payload.quotes);
      break;
    case 'subscribed':
      for (const symbol of message.payload.symbols) justAdded.delete(symbol);
      break;
    case 'error': {
      const outcome = gatewayErrorOutcome(message.payload, justAdded);
      for (const symbol of outcome.drop) forget(symbol);
      form.error(outcome.message);
      break;
    }
  }
}

function applySnapshot(quotes: Quote[]): void {
  let changed = false;
  for (const quote of quotes) if (store.has(quote.symbol) && book.applySnapshot(quote)) changed = true;
  if (changed) frame.request();
}

/** Once per animation frame: only the rows whose symbol ticked since the last frame. */
function render(): void {
  for (const symbol of book.takeChanged()) {
    const quotes = book.get(symbol);
    if (!quotes) continue;
    table.render(symbol, quotes);
    if (symbol === chart.shown) chart.update(quotes);
  }
}

function add(symbol: string): string | null {
  if (!store.add(symbol)) return `${symbol} is already on your watchlist.`;
  justAdded.add(symbol);
  table.setSymbols(store.symbols, (s) => book.get(s));
  socket.send({ action: 'subscribe', payload: { symbols: [symbol] } });
  if (selected === null) select(symbol);
  return null;
}

function remove(symbol: string): void {
  forget(symbol);
  socket.send({ action: 'unsubscribe', payload: { symbols: [symbol] } });
  form.info(`Removed ${symbol}.`);
}

/** Takes a symbol off the list, the book and the screen (the gateway is told separately, if at all). */
function forget(symbol: string): void {
  store.remove(symbol);
  justAdded.delete(symbol);
  book.forget(symbol);
  table.setSymbols(store.symbols, (s) => book.get(s));
  if (selected === symbol) select(store.symbols[0] ?? null);
}

function select(symbol: string | null): void {
  selected = symbol;
  table.select(symbol);
  chart.show(symbol, symbol ? book.get(symbol) : undefined);
}

/**
 * The gateway socket on the host that served the page. An `apiKey` or `token` in the page's address is
 * passed on, since a browser cannot set headers on a WebSocket and the gateway reads them from the query.
 */
function socketUrl(): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const page = new URLSearchParams(location.search);
  for (const name of ['apiKey', 'token']) {
    const value = page.get(name);
    if (value) url.searchParams.set(name, value);
  }
  return url.href;
}
