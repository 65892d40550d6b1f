import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusView } from '../../apps/gateway/web/src/status-view.js';
import { gapMessage } from '../../apps/gateway/web/src/gap-message.js';

describe('gap notice', () => {
  it('says how many quotes were lost and whose sparkline skips them', () => {
    assert.equal(gapMessage(new Map([['AAPL', 1]])), "1 quote missed and could not be recovered: AAPL's sparkline and chart skip that stretch.");
    assert.equal(
      gapMessage(new Map([['AAPL', 1200], ['MSFT', 34]])),
      '1,234 quotes missed and could not be recovered: the sparklines and charts of AAPL, MSFT skip that stretch.',
    );
    assert.match(gapMessage(new Map([['AAPL', 5], ['MSFT', null]])), /^Some quotes missed/);
  });
});

describe('connection status', () => {
  it('reads the client state as a person would: live, connecting, reconnecting with a countdown, offline', () => {
    assert.deepEqual(statusView({ kind: 'open', reconnect: true }, true), { kind: 'live' });
    assert.deepEqual(statusView({ kind: 'connecting', reconnect: false }, true), { kind: 'connecting' });
    assert.deepEqual(statusView({ kind: 'connecting', reconnect: true }, true), { kind: 'reconnecting', retryAt: null });
    assert.deepEqual(statusView({ kind: 'waiting', retryAt: 5, attempt: 2, closeCode: 1006 }, true), { kind: 'reconnecting', retryAt: 5 });
    assert.deepEqual(statusView({ kind: 'waiting', retryAt: 5, attempt: 2, closeCode: null }, false), { kind: 'offline', retryAt: 5 });
  });
});
