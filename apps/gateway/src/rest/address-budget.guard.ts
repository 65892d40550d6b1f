import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus, Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ADDRESS_BUDGET, CLIENT_ADDRESS, RETRY_AFTER_SECONDS } from './rest.constants.js';

/** A per-address budget: one token per request or message, shared with the socket (`AddressBudget`). */
export interface RequestBudget {
  /** True when `address` may make one more request now. */
  take(address: string): Promise<boolean>;
}

/** Who is behind a request (`TrustedProxies` once the socket's per-address rules use one). */
export interface ClientAddressSource {
  clientAddress(request: IncomingMessage): string;
}

/**
 * Every REST request draws on the same per-address budget as the socket's messages, before its query is
 * even validated, so a flood of bad requests costs the sender too. A refusal is 429 with Retry-After.
 * A budget that fails lets the request through: a Redis outage must not lock every client out.
 */
@Injectable()
export class AddressBudgetGuard implements CanActivate {
  private readonly logger = new Logger(AddressBudgetGuard.name);
  private failing = false;

  constructor(
    @Inject(ADDRESS_BUDGET) private readonly budget: RequestBudget,
    @Inject(CLIENT_ADDRESS) private readonly addresses: ClientAddressSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const address = this.addresses.clientAddress(http.getRequest<IncomingMessage>());
    if (await this.admit(address)) return true;
    http.getResponse<ServerResponse>().setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new HttpException(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message: `Too many requests from your address; retry in ${RETRY_AFTER_SECONDS} s` },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  private async admit(address: string): Promise<boolean> {
    try {
      const admitted = await this.budget.take(address);
      this.failing = false;
      return admitted;
    } catch (err) {
      if (!this.failing) this.logger.warn(`per-address budget failing, requests let through: ${(err as Error).message}`);
      this.failing = true;
      return true;
    }
  }
}
