import type { MarketDataError } from '../../../../libs/client/src/index.js';

type ErrorPayload = Pick<MarketDataError, 'code' | 'message'> & { symbols?: string[] };

export interface ErrorOutcome {
  /** What to tell the user. */
  message: string;
  /** Symbols to take off the watchlist. */
  drop: string[];
}

const list = (symbols: string[]) => symbols.join(', ');
const plural = (symbols: string[], one: string, many: string) => (symbols.length === 1 ? one : many);

/**
 * What an error frame from the gateway means for the watchlist. A malformed or untraded symbol will
 * never work, so it leaves the list. TOO_MANY_SYMBOLS drops only the symbols the user just tried to
 * add (`justAdded`): after a reconnect the whole saved list is re-subscribed, and a lower limit on a
 * new gateway must not wipe it.
 */
export function gatewayErrorOutcome(error: ErrorPayload, justAdded: ReadonlySet<string>): ErrorOutcome {
  const symbols = error.symbols ?? [];
  switch (error.code) {
    case 'UNKNOWN_SYMBOL':
      return {
        message: `${list(symbols)} ${plural(symbols, 'is', 'are')} not traded on this feed, so ${plural(symbols, 'it was', 'they were')} removed from your watchlist.`,
        drop: symbols,
      };
    case 'INVALID_SYMBOL':
      return { message: `${list(symbols)} ${plural(symbols, 'is not a valid symbol', 'are not valid symbols')}: ${error.message}.`, drop: symbols };
    case 'TOO_MANY_SYMBOLS': {
      const drop = symbols.filter((s) => justAdded.has(s));
      return { message: `${error.message}. Remove a symbol before adding another.`, drop };
    }
    case 'RATE_LIMITED':
      // The client sends a refused (un)subscribe again by itself, after the gateway's hint (see RateLimitRetry).
      return { message: `The gateway is limiting requests (${error.message}); your watchlist asks again in a moment.`, drop: [] };
    default:
      return { message: `Gateway error ${error.code}: ${error.message}`, drop: [] };
  }
}
