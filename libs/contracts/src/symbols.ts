/** A tradable symbol with the price the simulator opens at and its annualised volatility. */
export interface SymbolSpec {
  symbol: string;
  basePrice: number;
  volatility: number;
}

/** The default universe: well-known US tickers, with plausible opening prices and volatilities. */
export const DEFAULT_SYMBOLS: readonly SymbolSpec[] = [
  { symbol: 'AAPL', basePrice: 189.5, volatility: 0.25 },
  { symbol: 'MSFT', basePrice: 415.2, volatility: 0.24 },
  { symbol: 'GOOG', basePrice: 172.6, volatility: 0.28 },
  { symbol: 'AMZN', basePrice: 185.3, volatility: 0.32 },
  { symbol: 'TSLA', basePrice: 245.1, volatility: 0.6 },
  { symbol: 'NVDA', basePrice: 118.4, volatility: 0.55 },
  { symbol: 'META', basePrice: 505.8, volatility: 0.38 },
  { symbol: 'NFLX', basePrice: 640.0, volatility: 0.4 },
  { symbol: 'AMD', basePrice: 158.9, volatility: 0.5 },
  { symbol: 'INTC', basePrice: 31.2, volatility: 0.42 },
  { symbol: 'ORCL', basePrice: 138.7, volatility: 0.3 },
  { symbol: 'CRM', basePrice: 268.4, volatility: 0.35 },
  { symbol: 'ADBE', basePrice: 520.3, volatility: 0.34 },
  { symbol: 'IBM', basePrice: 184.6, volatility: 0.22 },
  { symbol: 'JPM', basePrice: 198.1, volatility: 0.22 },
  { symbol: 'V', basePrice: 276.5, volatility: 0.2 },
  { symbol: 'MA', basePrice: 462.9, volatility: 0.21 },
  { symbol: 'DIS', basePrice: 101.4, volatility: 0.3 },
  { symbol: 'KO', basePrice: 62.3, volatility: 0.15 },
  { symbol: 'PEP', basePrice: 171.8, volatility: 0.16 },
  { symbol: 'WMT', basePrice: 68.2, volatility: 0.18 },
  { symbol: 'NKE', basePrice: 94.7, volatility: 0.3 },
  { symbol: 'BA', basePrice: 181.5, volatility: 0.4 },
  { symbol: 'UBER', basePrice: 72.4, volatility: 0.45 },
];
