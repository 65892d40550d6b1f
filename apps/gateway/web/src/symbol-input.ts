import { SYMBOL_PATTERN } from '../../../../libs/contracts/src/quote.js';

export type SymbolInput = { ok: true; symbol: string } | { ok: false; message: string };

/**
 * What the user typed in "add symbol", as the gateway will read it (trimmed, upper-cased), or a message
 * saying what is wrong. Whether the symbol is traded is only known once the gateway answers.
 */
export function parseSymbolInput(raw: string): SymbolInput {
  const symbol = raw.trim().toUpperCase();
  if (symbol === '') return { ok: false, message: 'Type a ticker symbol, for example NVDA.' };
  if (!SYMBOL_PATTERN.test(symbol)) {
    const shown = symbol.length > 16 ? `${symbol.slice(0, 16)}…` : symbol;
    return {
      ok: false,
      message: `"${shown}" is not a ticker symbol: use a letter followed by up to 9 letters, digits, dots or dashes.`,
    };
  }
  return { ok: true, symbol };
}
