import { registerAs } from '@nestjs/config';
import { IsString } from 'class-validator';
import { DEFAULT_SYMBOLS, SYMBOL_PATTERN, type SymbolSpec } from '#app/contracts';
import { ConfigValidationError, validateEnv } from './validate-env.js';

const DEFAULT_VOLATILITY = 0.3;

export class MarketEnv {
  /** Comma-separated tickers, each optionally with a base price: `AAPL:189.5,MSFT,GOOG:172`. */
  @IsString()
  SYMBOLS = DEFAULT_SYMBOLS.map((s) => `${s.symbol}:${s.basePrice}`).join(',');
}

/** Parses SYMBOLS; known tickers keep their default volatility, new ones get a default price and volatility. */
export function parseSymbols(value: string): SymbolSpec[] {
  const specs = new Map<string, SymbolSpec>();
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [rawSymbol, rawPrice, ...rest] = entry.split(':');
    const symbol = rawSymbol.trim().toUpperCase();
    const known = DEFAULT_SYMBOLS.find((s) => s.symbol === symbol);
    const basePrice = rawPrice === undefined ? (known?.basePrice ?? 100) : Number(rawPrice);
    if (!SYMBOL_PATTERN.test(symbol) || rest.length > 0 || !(basePrice > 0) || !Number.isFinite(basePrice)) {
      throw new ConfigValidationError(
        `Invalid environment configuration:\n  SYMBOLS: "${entry}" is not SYMBOL or SYMBOL:PRICE with a positive price`,
      );
    }
    specs.set(symbol, { symbol, basePrice, volatility: known?.volatility ?? DEFAULT_VOLATILITY });
  }
  if (specs.size === 0) {
    throw new ConfigValidationError('Invalid environment configuration:\n  SYMBOLS: needs at least one symbol');
  }
  return [...specs.values()];
}

export const marketConfig = registerAs('market', () => ({ symbols: parseSymbols(validateEnv(MarketEnv).SYMBOLS) }));
export type MarketConfig = ReturnType<typeof marketConfig>;
