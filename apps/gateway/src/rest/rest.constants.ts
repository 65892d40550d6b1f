/** Quotes or bars one request returns when it names no `limit`, and the most it may ask for. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** Symbols one `GET /api/quotes` may name: as many as one socket may subscribe to by default. */
export const MAX_SYMBOLS_PER_REQUEST = 100;
