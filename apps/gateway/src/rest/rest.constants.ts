/** Injection token: the per-address budget every REST request draws on (see AddressBudgetGuard). */
export const ADDRESS_BUDGET = Symbol('ADDRESS_BUDGET');

/** Injection token: who is behind a request, so REST and the socket key budgets on the same address. */
export const CLIENT_ADDRESS = Symbol('CLIENT_ADDRESS');

/** Quotes or bars one request returns when it names no `limit`, and the most it may ask for. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** Symbols one `GET /api/quotes` may name: as many as one socket may subscribe to by default. */
export const MAX_SYMBOLS_PER_REQUEST = 100;

/** A refused request may try again after this long: every address earns at least one token a second. */
export const RETRY_AFTER_SECONDS = 1;
