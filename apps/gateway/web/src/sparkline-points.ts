/**
 * The `points` attribute of an SVG polyline drawing `prices` left to right in a width x height box,
 * the lowest price at the bottom. A flat or single-price series is drawn across the middle.
 */
export function sparklinePoints(prices: readonly number[], width: number, height: number, inset = 1): string {
  if (prices.length === 0) return '';
  let min = Infinity;
  let max = -Infinity;
  for (const p of prices) {
    if (p < min) min = p;
    if (p > max) max = p;
  }
  const span = max - min;
  const usable = height - 2 * inset;
  const step = prices.length > 1 ? width / (prices.length - 1) : 0;
  const y = (p: number) => (span === 0 ? height / 2 : inset + usable * (1 - (p - min) / span));
  if (prices.length === 1) return `0,${round(y(prices[0]))} ${width},${round(y(prices[0]))}`;
  let points = '';
  for (let i = 0; i < prices.length; i++) points += `${i === 0 ? '' : ' '}${round(i * step)},${round(y(prices[i]))}`;
  return points;
}

const round = (n: number) => Math.round(n * 10) / 10;
