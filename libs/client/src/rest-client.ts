import type { Bar, BarInterval, Quote } from '#app/contracts';
import { MarketDataError, type MarketDataErrorCode } from './market-data-error.js';
import { isBar, isQuote } from './server-frame.js';

export interface RestClientOptions {
  /** The gateway's HTTP origin, e.g. `http://127.0.0.1:8081/`; paths below are resolved against it. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Sent as `x-api-key` / `Authorization: Bearer`. */
  apiKey?: string;
  token?: string;
  /** Give up on a request after this long (NETWORK_ERROR). */
  timeoutMs?: number;
}

export interface QuoteHistory {
  symbol: string;
  /** In seq order. */
  quotes: Quote[];
  /** True when history reached back to `since`; false: quotes before the first one are missing. */
  complete: boolean;
}

export interface BarHistory {
  symbol: string;
  interval: BarInterval;
  /** By start, ascending; the last may still be open (closed: false). */
  bars: Bar[];
}

export type HistoryQuery = { since?: number; limit?: number };
export type BarQuery = { interval: BarInterval; from?: number; to?: number; limit?: number };

const STATUS_CODES: Record<number, MarketDataErrorCode> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 404: 'NOT_FOUND', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };

/** The gateway's REST API (`/api/...`): answers checked against the contract, failures as MarketDataError. */
export class RestClient {
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string> = { accept: 'application/json' };

  constructor(private readonly options: RestClientOptions) {
    this.fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    if (options.apiKey) this.headers['x-api-key'] = options.apiKey;
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
  }

  /** `GET /api/quotes?symbols=`: the latest quote of each symbol. */
  async latestQuotes(symbols: string[]): Promise<Quote[]> {
    const body = await this.get('/api/quotes', { symbols: symbols.join(',') });
    if (!Array.isArray(body.quotes) || !body.quotes.every(isQuote)) throw invalid('quotes');
    return body.quotes;
  }

  /** `GET /api/quotes/{symbol}/history`: the quotes after `since` (at most `limit`), or the last `limit`. */
  async history(symbol: string, { since, limit }: HistoryQuery = {}): Promise<QuoteHistory> {
    const body = await this.get(`/api/quotes/${encodeURIComponent(symbol)}/history`, { since, limit });
    if (typeof body.symbol !== 'string' || typeof body.complete !== 'boolean' || !Array.isArray(body.quotes) || !body.quotes.every(isQuote)) {
      throw invalid('history');
    }
    return { symbol: body.symbol, quotes: body.quotes, complete: body.complete };
  }

  /** `GET /api/bars/{symbol}`: bars of `interval` between `from` and `to` (epoch ms), or the last `limit`. */
  async bars(symbol: string, { interval, from, to, limit }: BarQuery): Promise<BarHistory> {
    const body = await this.get(`/api/bars/${encodeURIComponent(symbol)}`, { interval, from, to, limit });
    if (typeof body.symbol !== 'string' || typeof body.interval !== 'string' || !Array.isArray(body.bars) || !body.bars.every(isBar)) {
      throw invalid('bars');
    }
    return { symbol: body.symbol, interval: body.interval as BarInterval, bars: body.bars };
  }

  private async get(path: string, query: Record<string, string | number | undefined>): Promise<Record<string, unknown>> {
    const url = new URL(path, this.options.baseUrl);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    let response: Response;
    try {
      response = await this.fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (err) {
      throw new MarketDataError('NETWORK_ERROR', `GET ${url.pathname} failed: ${(err as Error).message}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const code = STATUS_CODES[response.status] ?? 'HTTP_ERROR';
      throw new MarketDataError(code, `GET ${url.pathname} answered ${response.status}: ${errorMessage(body) ?? response.statusText}`, [], response.status);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(url.pathname);
    return body as Record<string, unknown>;
  }
}

/** Nest's error body `{statusCode, error, message}`; `message` is a list when several checks failed. */
function errorMessage(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.filter((m) => typeof m === 'string').join('; ');
  return undefined;
}

function invalid(what: string): MarketDataError {
  return new MarketDataError('INVALID_RESPONSE', `The gateway's ${what} answer is not what the REST contract says`);
}
