const WHOLE_NUMBER = /^\d{1,16}$/;

/**
 * `AAPL, goog` -> ['AAPL', 'GOOG'], de-duplicated; a repeated parameter (`?symbols=A&symbols=B`) counts
 * as one list. Empty entries stay in, as '', so a list like `AAPL,,GOOG` fails validation instead of
 * being quietly repaired. Anything else is passed on unchanged for the validators to reject.
 */
export function toSymbolList(value: unknown): unknown {
  const parts = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
  if (parts === null) return value;
  return [...new Set(parts.join(',').split(',').map((s) => s.trim().toUpperCase()))];
}

/**
 * A query parameter of decimal digits -> that number. Anything else (`-1`, `1e3`, `0x10`, ` 5`, '') stays
 * a string, so `@IsInt` rejects it rather than `Number()` reading it as something the client did not write.
 */
export function toWholeNumber(value: unknown): unknown {
  return typeof value === 'string' && WHOLE_NUMBER.test(value) ? Number(value) : value;
}
