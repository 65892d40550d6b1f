import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import type { ClientSession } from '../connections/client-session.js';
import { AddressBudget } from './address-budget.js';
import { ConnectionBudget, type RateLimitRefusal } from './connection-budget.js';
import { TokenBucket } from './token-bucket.js';

type LimiterConfig = Pick<GatewayConfig, 'rateLimitPerSecond' | 'rateLimitBurst' | 'addressRateLimitPerSecond' | 'rateLimitStrikes'>;

/**
 * Two budgets for client messages, both answered with RATE_LIMITED: the connection's own token bucket,
 * in memory and checked before anything is queued, so a flood costs neither queued work nor a Redis
 * call; then the client address's bucket, shared by every gateway through Redis, for messages the first
 * let through. Refusals count as strikes of the connection; enough of them close it with 1008.
 */
@Injectable()
export class RateLimiter {
  private readonly budgets = new WeakMap<ClientSession, ConnectionBudget>();
  private readonly connectionMessage: string;
  private readonly addressMessage: string;
  /** The hint sent with every RATE_LIMITED: the time the slower of the two buckets takes to earn a token. */
  readonly retryAfterMs: number;

  constructor(
    private readonly addresses: AddressBudget,
    @Inject(gatewayConfig.KEY) private readonly config: LimiterConfig,
  ) {
    this.connectionMessage = `More than ${config.rateLimitPerSecond} messages per second on this connection`;
    this.addressMessage = `More than ${config.addressRateLimitPerSecond} messages per second from your address`;
    this.retryAfterMs = Math.ceil(1000 / Math.min(config.rateLimitPerSecond, config.addressRateLimitPerSecond));
  }

  /** The connection's budget, in memory: 'dropped' once the connection is being closed for abuse. */
  admit(session: ClientSession): 'admitted' | 'dropped' | RateLimitRefusal {
    return this.budgetOf(session).admit(performance.now(), this.connectionMessage);
  }

  /** The address's budget, in Redis, for a message the connection's budget admitted. */
  async admitAddress(session: ClientSession): Promise<'admitted' | RateLimitRefusal> {
    if (await this.addresses.take(session.ip)) return 'admitted';
    return this.strike(session, this.addressMessage);
  }

  /** A refusal for another reason (a full request queue), counted like the others. */
  strike(session: ClientSession, message: string): RateLimitRefusal {
    return this.budgetOf(session).strike(message);
  }

  private budgetOf(session: ClientSession): ConnectionBudget {
    let budget = this.budgets.get(session);
    if (!budget) {
      budget = new ConnectionBudget(new TokenBucket(this.config.rateLimitPerSecond, this.config.rateLimitBurst, performance.now()), this.config.rateLimitStrikes);
      this.budgets.set(session, budget);
    }
    return budget;
  }
}
