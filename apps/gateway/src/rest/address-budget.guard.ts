import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import { TrustedProxies } from '../connections/trusted-proxies.js';
import { AddressBudget } from '../rate-limit/address-budget.js';

/**
 * Every REST request takes a token of the client address's budget, the one the socket's messages draw
 * on (shared by all gateways through Redis), before its query is even validated, so a flood of bad
 * requests costs the sender too. The address is the socket's too: X-Forwarded-For only from trusted
 * proxies. A refusal is 429 with Retry-After, the time the bucket takes to earn one token; while Redis
 * cannot answer, AddressBudget lets requests through.
 */
@Injectable()
export class AddressBudgetGuard implements CanActivate {
  private readonly retryAfter: string;
  private readonly refusal: string;

  constructor(
    private readonly budget: AddressBudget,
    private readonly addresses: TrustedProxies,
    @Inject(gatewayConfig.KEY) config: Pick<GatewayConfig, 'addressRateLimitPerSecond'>,
  ) {
    const seconds = Math.max(1, Math.ceil(1 / config.addressRateLimitPerSecond));
    this.retryAfter = String(seconds);
    this.refusal = `More than ${config.addressRateLimitPerSecond} requests and messages per second from your address; retry in ${seconds} s`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    if (await this.budget.take(this.addresses.clientAddress(http.getRequest<IncomingMessage>()))) return true;
    http.getResponse<ServerResponse>().setHeader('Retry-After', this.retryAfter);
    throw new HttpException({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message: this.refusal }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
