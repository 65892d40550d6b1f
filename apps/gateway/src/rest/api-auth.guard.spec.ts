import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { SignJWT } from 'jose';
import type { GatewayConfig } from '#app/config';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';
import { ApiAuthGuard } from './api-auth.guard.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

function guard(mode: 'none' | 'api-key' | 'jwt') {
  const config = { auth: { mode, apiKeys: ['rest-key'], jwtSecret: SECRET } } as GatewayConfig;
  return new ApiAuthGuard(new UpgradeAuthenticator(config), config);
}

function request(url: string, headers: Record<string, string> = {}) {
  const req = { url, headers } as unknown as IncomingMessage;
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

const refused = (message: RegExp) => (err: unknown) => err instanceof UnauthorizedException && message.test(err.message);

describe('ApiAuthGuard', () => {
  it('lets everyone in while authentication is off', async () => {
    assert.equal(await guard('none').canActivate(request('/api/quotes?symbols=AAPL')), true);
  });

  it('in api-key mode, wants a known key in the x-api-key header, and not in the query string', async () => {
    const apiKey = guard('api-key');
    assert.equal(await apiKey.canActivate(request('/api/quotes', { 'x-api-key': 'rest-key' })), true);
    await assert.rejects(apiKey.canActivate(request('/api/quotes')), refused(/^A known API key is required in the x-api-key header: no API key$/));
    await assert.rejects(apiKey.canActivate(request('/api/quotes', { 'x-api-key': 'rest-kez' })), refused(/x-api-key header: unknown API key$/));
    await assert.rejects(apiKey.canActivate(request('/api/quotes?apiKey=rest-key')), refused(/x-api-key header: no API key$/));
  });

  it('in jwt mode, wants a valid bearer token in the Authorization header, and not in the query string', async () => {
    const jwt = guard('jwt');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
    assert.equal(await jwt.canActivate(request('/api/quotes', { authorization: `Bearer ${token}` })), true);
    await assert.rejects(jwt.canActivate(request(`/api/quotes?token=${token}`)), refused(/^A valid token is required in the Authorization header \(Bearer\): no token$/));
    await assert.rejects(jwt.canActivate(request('/api/quotes', { authorization: `Bearer ${token}x` })), refused(/Authorization header \(Bearer\): .+/));
    const forever = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    await assert.rejects(jwt.canActivate(request('/api/quotes', { authorization: `Bearer ${forever}` })), refused(/Authorization header/), 'a token without exp, as on the socket');
  });
});
