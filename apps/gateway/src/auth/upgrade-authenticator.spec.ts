import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { afterEach, describe, it, mock } from 'node:test';
import { SignJWT } from 'jose';
import type { GatewayConfig } from '#app/config';
import { fakeRequest } from '../../../../test/support/fake-request.js';
import { UpgradeAuthenticator } from './upgrade-authenticator.js';

const SECRET = 'a-test-secret-that-is-long-enough-123456';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function authenticator(auth: Partial<GatewayConfig['auth']>) {
  return new UpgradeAuthenticator({ auth: { mode: 'jwt', apiKeys: [], jwtSecret: SECRET, jwtAudience: undefined, jwtIssuer: undefined, ...auth } });
}

function token(claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt) {
  return build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' })).sign(key);
}

const withBearer = (jwt: string) => fakeRequest('127.0.0.1', { authorization: `Bearer ${jwt}` });

describe('UpgradeAuthenticator, jwt mode', () => {
  it('accepts a valid token and returns when it expires', async () => {
    const exp = now() + 300;
    const verdict = await authenticator({}).authenticate(withBearer(await token({ sub: 't' }, (j) => j.setExpirationTime(exp))));
    assert.deepEqual(verdict, { allowed: true, expiresAt: exp * 1000 });
  });

  it('refuses a token without exp: it would be valid, and its socket open, forever', async () => {
    const verdict = await authenticator({}).authenticate(withBearer(await token({ sub: 't' })));
    assert.deepEqual(verdict, { allowed: false, reason: 'token claim "exp" missing' });
  });

  it('refuses an expired token and says so', async () => {
    const verdict = await authenticator({}).authenticate(withBearer(await token({ sub: 't' }, (j) => j.setExpirationTime(now() - 60))));
    assert.deepEqual(verdict, { allowed: false, reason: 'token expired' });
  });

  it('checks aud and iss when they are configured', async () => {
    const auth = authenticator({ jwtAudience: 'watchlist', jwtIssuer: 'https://id.example' });
    const exp = now() + 300;
    const good = await token({}, (j) => j.setExpirationTime(exp).setAudience('watchlist').setIssuer('https://id.example'));
    const otherAudience = await token({}, (j) => j.setExpirationTime(exp).setAudience('billing').setIssuer('https://id.example'));
    const noIssuer = await token({}, (j) => j.setExpirationTime(exp).setAudience('watchlist'));
    assert.equal((await auth.authenticate(withBearer(good))).allowed, true);
    assert.deepEqual(await auth.authenticate(withBearer(otherAudience)), { allowed: false, reason: 'token claim "aud" not accepted' });
    assert.deepEqual(await auth.authenticate(withBearer(noIssuer)), { allowed: false, reason: 'token claim "iss" missing' });
  });

  it('refuses a token signed with another secret or another algorithm', async () => {
    const exp = now() + 300;
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode('x'.repeat(40)));
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setExpirationTime(exp).sign(key);
    assert.deepEqual(await authenticator({}).authenticate(withBearer(forged)), { allowed: false, reason: 'invalid token' });
    assert.deepEqual(await authenticator({}).authenticate(withBearer(hs512)), { allowed: false, reason: 'invalid token' });
  });

  it('reads the token from ?token= when there is no Authorization header', async () => {
    const jwt = await token({}, (j) => j.setExpirationTime(now() + 300));
    assert.equal((await authenticator({}).authenticate(fakeRequest('127.0.0.1', {}, `/ws?token=${jwt}`))).allowed, true);
    assert.deepEqual(await authenticator({}).authenticate(fakeRequest('127.0.0.1')), { allowed: false, reason: 'no token' });
  });
});

describe('UpgradeAuthenticator, api-key mode', () => {
  afterEach(() => mock.restoreAll());
  const keys = authenticator({ mode: 'api-key', apiKeys: ['k-one', 'a-much-longer-second-key'] });

  it('accepts a known key from the header or the query string, with no expiry', async () => {
    assert.deepEqual(await keys.authenticate(fakeRequest('127.0.0.1', { 'x-api-key': 'k-one' })), { allowed: true, expiresAt: null });
    assert.equal((await keys.authenticate(fakeRequest('127.0.0.1', {}, '/ws?apiKey=a-much-longer-second-key'))).allowed, true);
  });

  it('refuses unknown keys, prefixes and extensions of known ones', async () => {
    for (const given of ['k-two', 'k-on', 'k-one-', 'K-ONE', 'a-much-longer-second-ke']) {
      assert.deepEqual(await keys.authenticate(fakeRequest('127.0.0.1', { 'x-api-key': given })), { allowed: false, reason: 'unknown API key' }, given);
    }
  });

  it('compares fixed-size digests with every known key, whatever the length of the key given', async () => {
    const compare = mock.method(crypto, 'timingSafeEqual');
    for (const given of ['x', 'k-one', 'y'.repeat(500)]) {
      compare.mock.resetCalls();
      await keys.authenticate(fakeRequest('127.0.0.1', { 'x-api-key': given }));
      assert.equal(compare.mock.callCount(), 2, `${given.length} chars: every key compared, no early exit on length`);
      for (const call of compare.mock.calls) {
        const [a, b] = call.arguments as [Buffer, Buffer];
        assert.deepEqual([a.length, b.length], [32, 32], 'SHA-256 digests, so the length of neither key shows');
      }
    }
  });
});
