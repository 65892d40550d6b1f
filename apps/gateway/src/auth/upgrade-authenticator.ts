import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { gatewayConfig, type GatewayConfig } from '#app/config';

/**
 * Optional authentication of the WebSocket upgrade (WS_AUTH_MODE). Credentials come from headers for
 * servers (`x-api-key`, `Authorization: Bearer`) or from the query string for browsers, which cannot
 * set headers on a WebSocket (`?apiKey=`, `?token=`).
 */
@Injectable()
export class UpgradeAuthenticator {
  private readonly keys: Buffer[];
  private readonly secret: Uint8Array;

  constructor(@Inject(gatewayConfig.KEY) private readonly config: GatewayConfig) {
    this.keys = config.auth.apiKeys.map((k) => Buffer.from(k));
    this.secret = new TextEncoder().encode(config.auth.jwtSecret);
  }

  async isAllowed(request: IncomingMessage): Promise<boolean> {
    const { mode } = this.config.auth;
    if (mode === 'none') return true;
    const query = new URL(request.url ?? '/', 'http://gateway').searchParams;
    if (mode === 'api-key') return this.isKnownKey(header(request, 'x-api-key') ?? query.get('apiKey'));
    return this.isValidToken(bearer(request) ?? query.get('token'));
  }

  private isKnownKey(given: string | null): boolean {
    if (!given) return false;
    const candidate = Buffer.from(given);
    return this.keys.some((key) => key.length === candidate.length && timingSafeEqual(key, candidate));
  }

  /** HS256 only, so a token cannot pick its own algorithm; exp and nbf are enforced when present. */
  private async isValidToken(token: string | null): Promise<boolean> {
    if (!token) return false;
    try {
      await jwtVerify(token, this.secret, { algorithms: ['HS256'] });
      return true;
    } catch {
      return false;
    }
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearer(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}
