import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatChange,
  formatChangePercent,
  formatPrice,
  formatVolume,
} from '../../apps/gateway/web/src/quote-format.js';

describe('watchlist number formatting', () => {
  it('shows prices with two decimals and thousands separators, four decimals under $1', () => {
    assert.equal(formatPrice(189.1), '189.10');
    assert.equal(formatPrice(1234.567), '1,234.57');
    assert.equal(formatPrice(1), '1.00');
    assert.equal(formatPrice(0.98765), '0.9877');
  });

  it('signs changes and percentages, and shows no sign for a change that rounds to zero', () => {
    assert.equal(formatChange(1.234, 189), '+1.23');
    assert.equal(formatChange(-0.45, 189), '-0.45');
    assert.equal(formatChange(-0.001, 189), '0.00');
    assert.equal(formatChange(0.0012, 0.5), '+0.0012');
    assert.equal(formatChangePercent(0.654), '+0.65%');
    assert.equal(formatChangePercent(-3.7), '-3.70%');
    assert.equal(formatChangePercent(0), '0.00%');
  });

  it('shows volume as a whole number with thousands separators', () => {
    assert.equal(formatVolume(1234567), '1,234,567');
    assert.equal(formatVolume(0), '0');
  });
});
