/**
 * One simulated market second per tick: at the default 10 ticks per second a symbol moves about as
 * fast as on a busy day, a few cents a tick, and faster tick rates just compress the day.
 */
const SECONDS_PER_TRADING_YEAR = 252 * 390 * 60;
const SPREAD_BPS = 2;

/** A standard normal draw (Box-Muller). */
export function gaussian(random: () => number = Math.random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * The next price of a geometric Brownian motion with zero drift: a step of one market second,
 * `volatility` being annualised (0.3 = 30 %).
 */
export function nextPrice(price: number, volatility: number, shock: number): number {
  const sigma = volatility / Math.sqrt(SECONDS_PER_TRADING_YEAR);
  return price * Math.exp(-0.5 * sigma * sigma + sigma * shock);
}

/** Prices under a dollar keep four decimals, others two, as exchanges quote them. */
export function roundPrice(price: number): number {
  const factor = price < 1 ? 10_000 : 100;
  return Math.round(price * factor) / factor;
}

/** Bid and ask a couple of basis points around the price, at least one tick apart. */
export function spreadAround(price: number): { bid: number; ask: number } {
  const tick = price < 1 ? 0.0001 : 0.01;
  const half = Math.max(tick / 2, (price * SPREAD_BPS) / 20_000);
  const bid = roundPrice(price - half);
  const ask = Math.max(roundPrice(price + half), roundPrice(bid + tick));
  return { bid, ask };
}
