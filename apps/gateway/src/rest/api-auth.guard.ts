import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';

/**
 * The REST API answers only whom the socket would let in (WS_AUTH_MODE): turning authentication on for
 * /ws must not leave the same quotes open at /api. Credentials are read from headers only (`x-api-key`,
 * `Authorization: Bearer`): a query string ends up in access logs, and here it holds the API's own
 * parameters.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly refusal: string;

  constructor(
    private readonly authenticator: UpgradeAuthenticator,
    @Inject(gatewayConfig.KEY) config: Pick<GatewayConfig, 'auth'>,
  ) {
    this.refusal =
      config.auth.mode === 'api-key'
        ? 'A known API key is required in the x-api-key header'
        : 'A valid token is required in the Authorization header (Bearer)';
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { headers } = context.switchToHttp().getRequest<IncomingMessage>();
    const verdict = await this.authenticator.authenticate({ headers, url: '/' } as IncomingMessage);
    if (verdict.allowed) return true;
    throw new UnauthorizedException(`${this.refusal}: ${verdict.reason}`);
  }
}
