import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllowedOrigins } from '#app/config';
import { fakeRequest } from '../../../../test/support/fake-request.js';
import { OriginPolicy } from './origin-policy.js';

const policy = (list: string, requireOrigin = false) => new OriginPolicy({ allowedOrigins: parseAllowedOrigins(list).allowed, requireOrigin });
const upgrade = (headers: Record<string, string>) => fakeRequest('203.0.113.7', { host: 'quotes.example.com', ...headers });

describe('OriginPolicy', () => {
  it('refuses a browser on another origin', () => {
    assert.equal(policy('').allows(upgrade({ origin: 'https://evil.example' })), false);
    assert.equal(policy('https://app.example.com').allows(upgrade({ origin: 'https://evil.example' })), false);
  });

  it('allows the listed origins, compared as browsers serialise them', () => {
    const allowed = policy('https://App.Example.com:443, http://localhost:5173');
    assert.equal(allowed.allows(upgrade({ origin: 'https://app.example.com' })), true);
    assert.equal(allowed.allows(upgrade({ origin: 'http://localhost:5173' })), true);
    assert.equal(allowed.allows(upgrade({ origin: 'http://app.example.com' })), false, 'the scheme is part of the origin');
    assert.equal(allowed.allows(upgrade({ origin: 'https://app.example.com.evil.example' })), false);
  });

  it("always allows the gateway's own page: the Origin's host is the request's Host", () => {
    assert.equal(policy('').allows(upgrade({ origin: 'https://quotes.example.com' })), true);
    assert.equal(policy('').allows(upgrade({ origin: 'https://quotes.example.com', host: 'quotes.example.com:443' })), true);
    assert.equal(policy('').allows(upgrade({ origin: 'http://127.0.0.1:8081', host: '127.0.0.1:8081' })), true);
    assert.equal(policy('').allows(upgrade({ origin: 'http://127.0.0.1:9999', host: '127.0.0.1:8081' })), false, 'another port is another origin');
  });

  it('allows clients without an Origin (servers, CLIs) unless WS_REQUIRE_ORIGIN', () => {
    assert.equal(policy('').allows(upgrade({})), true);
    assert.equal(policy('', true).allows(upgrade({})), false);
    assert.equal(policy('', true).allows(upgrade({ origin: 'https://quotes.example.com' })), true);
  });

  it('refuses the opaque origin "null" and anything unreadable, unless * allows every origin', () => {
    assert.equal(policy('').allows(upgrade({ origin: 'null' })), false);
    assert.equal(policy('').allows(upgrade({ origin: 'chrome-extension://abc' })), false);
    assert.equal(policy('*').allows(upgrade({ origin: 'https://anyone.example' })), true);
  });
});
