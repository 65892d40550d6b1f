/**
 * How a trader expects numbers to read: fixed decimals (four under $1, where cents are too coarse),
 * thousands separators, and an explicit sign on changes. The locale is fixed so columns line up the
 * same for everyone; formatters are built once because they run for every changed row each frame.
 */
const LOCALE = 'en-US';

const fixed = (digits: number, signDisplay: 'auto' | 'exceptZero') =>
  new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay });

const PRICE = { 2: fixed(2, 'auto'), 4: fixed(4, 'auto') };
const SIGNED = { 2: fixed(2, 'exceptZero'), 4: fixed(4, 'exceptZero') };
const VOLUME = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/** Shown in a cell that has no value yet. */
export const NO_VALUE = '—';

export function priceDecimals(price: number): 2 | 4 {
  return Math.abs(price) < 1 ? 4 : 2;
}

export function formatPrice(price: number): string {
  return PRICE[priceDecimals(price)].format(price);
}

/** A signed change, with as many decimals as the price it belongs to: +1.23, -0.45, 0.00. */
export function formatChange(change: number, price: number): string {
  return SIGNED[priceDecimals(price)].format(change);
}

export function formatChangePercent(percent: number): string {
  return `${SIGNED[2].format(percent)}%`;
}

export function formatVolume(volume: number): string {
  return VOLUME.format(volume);
}
