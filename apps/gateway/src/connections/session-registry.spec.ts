import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { parseTrustedProxies } from '#app/config';
import { fakeRequest } from '../../../../test/support/fake-request.js';
import { fakeSocket } from '../../../../test/support/fake-socket.js';
import { Logger } from '@nestjs/common';
import { GatewayStats } from './gateway-stats.js';
import { RESERVED_FILES, softOpenFilesLimit } from './open-files-limit.js';
import { SessionRegistry } from './session-registry.js';
import { TrustedProxies } from './trusted-proxies.js';

const config = {
  maxConnections: 3,
  maxConnectionsPerIp: 2,
  slowClientBufferBytes: 1000,
  maxClientBufferBytes: 5000,
};

function registry(openFilesLimit: number | null = null, overrides: Partial<typeof config> = {}) {
  return new SessionRegistry({ ...config, ...overrides }, new GatewayStats(), new TrustedProxies({ trustedProxies: parseTrustedProxies('10.0.0.1').networks }), openFilesLimit);
}

describe('SessionRegistry', () => {
  it('refuses a client address at its cap with 429 and a full gateway with 503, and frees places on close', () => {
    const sessions = registry();
    const a = [fakeSocket(), fakeSocket()];
    for (const { ws } of a) sessions.open(ws, fakeRequest('203.0.113.7'));
    assert.equal(sessions.refusalFor('203.0.113.7')?.status, 429);
    assert.equal(sessions.refusalFor('203.0.113.8'), null);
    sessions.open(fakeSocket().ws, fakeRequest('203.0.113.8'));
    assert.equal(sessions.refusalFor('203.0.113.9')?.status, 503, 'the overall cap, whatever the address');
    sessions.close(a[0].ws);
    assert.equal(sessions.refusalFor('203.0.113.9'), null);
    assert.equal(sessions.refusalFor('203.0.113.7'), null);
  });

  it('counts the addresses of one IPv6 /64 as one client, so rotating addresses does not escape the cap', () => {
    const sessions = registry();
    sessions.open(fakeSocket().ws, fakeRequest('2001:db8:1:2::a'));
    const second = fakeSocket();
    sessions.open(second.ws, fakeRequest('2001:db8:1:2:ffff::b'));
    assert.equal(sessions.refusalFor('2001:db8:1:2::c')?.status, 429);
    assert.equal(sessions.refusalFor('2001:db8:1:3::a'), null, 'another /64');
    sessions.close(second.ws);
    assert.equal(sessions.refusalFor('2001:db8:1:2::c'), null);
  });

  it('counts a session under the address the upgrade checks found, behind a trusted proxy', () => {
    const sessions = registry();
    const request = fakeRequest('10.0.0.1', { 'x-forwarded-for': '203.0.113.7' });
    sessions.admit(request, { address: '203.0.113.7', expiresAt: null });
    assert.equal(sessions.open(fakeSocket().ws, request).ip, '203.0.113.7');
    assert.equal(sessions.open(fakeSocket().ws, fakeRequest('10.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).ip, '203.0.113.7');
    assert.equal(sessions.refusalFor('203.0.113.7')?.status, 429);
    assert.equal(sessions.refusalFor('10.0.0.1'), null, 'the proxy itself holds none');
  });

  it('refuses with 503 once the open-files limit less its reserve is reached, whatever WS_MAX_CONNECTIONS says, and says why once', () => {
    const warn = mock.method(Logger.prototype, 'warn', () => undefined);
    try {
      const sessions = registry(RESERVED_FILES + 2, { maxConnections: 200_000, maxConnectionsPerIp: 200_000 });
      sessions.open(fakeSocket().ws, fakeRequest('203.0.113.7'));
      assert.equal(sessions.refusalFor('203.0.113.8'), null);
      const second = fakeSocket();
      sessions.open(second.ws, fakeRequest('203.0.113.8'));
      assert.equal(sessions.refusalFor('203.0.113.9')?.status, 503);
      assert.equal(sessions.refusalFor('203.0.113.10')?.status, 503);
      assert.equal(warn.mock.callCount(), 1, 'one warning, not one per refusal');
      assert.match(String(warn.mock.calls[0].arguments[0]), /open-files limit|ulimit -n/);
      sessions.close(second.ws);
      assert.equal(sessions.refusalFor('203.0.113.9'), null, 'room again once a client leaves');
    } finally {
      warn.mock.restore();
    }
  });

  it('keeps WS_MAX_CONNECTIONS when the open-files limit allows more, or is unlimited', () => {
    for (const limit of [RESERVED_FILES + 1000, null]) {
      const sessions = registry(limit);
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) sessions.open(fakeSocket().ws, fakeRequest(ip));
      assert.equal(sessions.refusalFor('203.0.113.4')?.status, 503);
    }
  });

  it("reads the soft open-files limit from the process's limits, and none where it is unlimited or unreadable", () => {
    const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                20000                files\n`;
    assert.equal(softOpenFilesLimit(() => limits('1024')), 1024);
    assert.equal(softOpenFilesLimit(() => limits('unlimited')), null);
    assert.equal(
      softOpenFilesLimit(() => {
        throw new Error('ENOENT');
      }),
      null,
    );
    assert.equal(typeof softOpenFilesLimit(), 'number', 'this Linux process has one');
  });

  describe('token expiry', () => {
    beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
    afterEach(() => mock.timers.reset());

    it('closes a socket with 4001 when its token expires', () => {
      const sessions = registry();
      const { ws, closes } = fakeSocket();
      const request = fakeRequest('203.0.113.7');
      sessions.admit(request, { address: '203.0.113.7', expiresAt: 1_000_000 + 30_000 });
      sessions.open(ws, request);
      mock.timers.tick(29_999);
      assert.deepEqual(closes, []);
      mock.timers.tick(1);
      assert.deepEqual(closes, [4001]);
    });

    it('forgets the timer of a socket closed before its token expires', () => {
      const sessions = registry();
      const { ws, closes } = fakeSocket();
      const request = fakeRequest('203.0.113.7');
      sessions.admit(request, { address: '203.0.113.7', expiresAt: 1_000_000 + 30_000 });
      sessions.open(ws, request);
      sessions.close(ws);
      mock.timers.tick(60_000);
      assert.deepEqual(closes, []);
    });

    it('waits out an expiry beyond the longest timer setTimeout allows', () => {
      const sessions = registry();
      const { ws, closes } = fakeSocket();
      const request = fakeRequest('203.0.113.7');
      const month = 30 * 86_400_000;
      sessions.admit(request, { address: '203.0.113.7', expiresAt: 1_000_000 + month });
      sessions.open(ws, request);
      mock.timers.tick(2_147_483_647);
      assert.deepEqual(closes, [], 'not closed when the first, capped timer fires');
      mock.timers.tick(month - 2_147_483_647);
      assert.deepEqual(closes, [4001]);
    });

    it('never arms a timer for a session without an expiring credential', () => {
      const sessions = registry();
      const { ws, closes } = fakeSocket();
      sessions.open(ws, fakeRequest('203.0.113.7'));
      mock.timers.tick(365 * 86_400_000);
      assert.deepEqual(closes, []);
    });
  });
});
