import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayErrorOutcome } from '../../apps/gateway/web/src/gateway-error.js';

describe('gatewayErrorOutcome', () => {
  it('drops an untraded symbol from the watchlist and says so', () => {
    const outcome = gatewayErrorOutcome({ code: 'UNKNOWN_SYMBOL', message: 'Not traded here: ZZZZ', symbols: ['ZZZZ'] }, new Set());
    assert.deepEqual(outcome.drop, ['ZZZZ']);
    assert.match(outcome.message, /ZZZZ is not traded/);
  });

  it('on TOO_MANY_SYMBOLS drops only what the user just added, never the restored list', () => {
    const error = { code: 'TOO_MANY_SYMBOLS' as const, message: 'At most 5 symbols', symbols: ['AAPL', 'NVDA'] };
    assert.deepEqual(gatewayErrorOutcome(error, new Set(['NVDA'])).drop, ['NVDA']);
    assert.deepEqual(gatewayErrorOutcome(error, new Set()).drop, []);
  });

  it('keeps the list on RATE_LIMITED and other errors', () => {
    const limited = gatewayErrorOutcome({ code: 'RATE_LIMITED', message: 'slow down' }, new Set());
    assert.deepEqual(limited.drop, []);
    assert.match(limited.message, /asks again in a moment/, 'the client retries by itself: the user need not');
    assert.deepEqual(gatewayErrorOutcome({ code: 'INTERNAL_ERROR', message: 'oops' }, new Set()).drop, []);
  });
});
