import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify } from 'jose';
import { gatewayConfig, type GatewayConfig } from '#app/config';

/** Whether an upgrade may proceed; an accepted token's expiry ends the socket it opens. */
export type UpgradeVerdict =
  | { allowed: true; /** epoch ms when the credential stops being valid, or null for none */ expiresAt: number | null }
  | { allowed: false; /** why, for the 401 body and the log: nothing an attacker does not already know */ reason: string };

const ALLOWED: UpgradeVerdict = { allowed: true, expiresAt: null };

/**
 * Optional authentication of the WebSocket upgrade (WS_AUTH_MODE). Credentials come from headers
 * (`x-api-key`, `Authorization: Bearer`), or from the query string (`?apiKey=`, `?token=`) for browsers,
 * which cannot set headers on a WebSocket; see docs/the-door.md on why the query string is the second choice.
 */
@Injectable()
export class UpgradeAuthenticator {
  private readonly keyDigests: Buffer[];
  private readonly secret: Uint8Array;

  constructor(@Inject(gatewayConfig.KEY) private readonly config: Pick<GatewayConfig, 'auth'>) {
    this.keyDigests = config.auth.apiKeys.map(sha256);
    this.secret = new TextEncoder().encode(config.auth.jwtSecret);
  }

  async authenticate(request: IncomingMessage): Promise<UpgradeVerdict> {
    const { mode } = this.config.auth;
    if (mode === 'none') return ALLOWED;
    const query = new URL(request.url ?? '/', 'http://gateway').searchParams;
    if (mode === 'api-key') return this.checkKey(header(request, 'x-api-key') ?? query.get('apiKey'));
    return this.checkToken(bearer(request) ?? query.get('token'));
  }

  /**
   * Compares SHA-256 digests, every known key every time: equal-length buffers, so neither the
   * comparison nor a length check before it tells a caller how long a key is or how much of it matched.
   */
  private checkKey(given: string | null): UpgradeVerdict {
    if (!given) return { allowed: false, reason: 'no API key' };
    const candidate = sha256(given);
    let known = false;
    for (const digest of this.keyDigests) known = crypto.timingSafeEqual(digest, candidate) || known;
    return known ? ALLOWED : { allowed: false, reason: 'unknown API key' };
  }

  /**
   * HS256 only, so a token cannot pick its own algorithm. `exp` is required (a token without one would
   * be valid forever, and so would its socket); `aud` and `iss` are checked when configured.
   */
  private async checkToken(token: string | null): Promise<UpgradeVerdict> {
    if (!token) return { allowed: false, reason: 'no token' };
    const { jwtAudience: audience, jwtIssuer: issuer } = this.config.auth;
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], requiredClaims: ['exp'], audience, issuer });
      return { allowed: true, expiresAt: payload.exp! * 1000 };
    } catch (err) {
      return { allowed: false, reason: tokenRefusal(err) };
    }
  }
}

function tokenRefusal(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `token claim "${err.claim}" ${err.reason === 'missing' ? 'missing' : 'not accepted'}`;
  return 'invalid token';
}

function sha256(text: string): Buffer {
  return crypto.createHash('sha256').update(text).digest();
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}
