import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { gatewayConfig, redisConfig, type GatewayConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT, type RedisClient } from '#app/redis';
import { TAKE_ADDRESS_TOKEN_LUA } from './address-budget.lua.js';
import { addressKey } from './address-key.js';

type TakeAddressTokenCommand = (key: string, perSecond: number, burst: number) => Promise<number>;

/**
 * The message budget of a client address over all its connections and all gateways: a token bucket in
 * Redis (one EVALSHA per message the connection's own budget let through). When Redis cannot answer,
 * messages are let through, with one warning per outage: a Redis outage must not lock every client out.
 * One key per call, so it works the same on a Redis Cluster. An IPv6 client is keyed on its /64 (see
 * addressKey): one host can hold a whole /64 and would otherwise get a fresh budget per address.
 */
@Injectable()
export class AddressBudget implements OnModuleInit {
  private readonly logger = new Logger(AddressBudget.name);
  private takeToken!: TakeAddressTokenCommand;
  private failingOpen = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(gatewayConfig.KEY) private readonly gateway: Pick<GatewayConfig, 'addressRateLimitPerSecond' | 'addressRateLimitBurst'>,
    @Inject(redisConfig.KEY) private readonly config: Pick<RedisConfig, 'keyPrefix'>,
  ) {}

  onModuleInit() {
    this.redis.defineCommand('takeAddressToken', { numberOfKeys: 1, lua: TAKE_ADDRESS_TOKEN_LUA });
    this.takeToken = (this.redis as unknown as { takeAddressToken: TakeAddressTokenCommand }).takeAddressToken.bind(this.redis);
  }

  /** True when `address` (its /64 for IPv6) may send one more message now, or when Redis cannot say. */
  async take(address: string): Promise<boolean> {
    // Not connected: do not wait in ioredis' offline queue for a reconnect, let the message through now.
    if (this.redis.status !== 'ready') return this.failOpen(`Redis connection ${this.redis.status}`);
    try {
      const taken = await this.takeToken(`${this.config.keyPrefix}budget:${addressKey(address)}`, this.gateway.addressRateLimitPerSecond, this.gateway.addressRateLimitBurst);
      if (this.failingOpen) this.logger.log('per-address message budget back on');
      this.failingOpen = false;
      return taken === 1;
    } catch (err) {
      return this.failOpen((err as Error).message);
    }
  }

  private failOpen(why: string): true {
    if (!this.failingOpen) this.logger.warn(`per-address message budget off while Redis fails (${why}): messages are let through`);
    this.failingOpen = true;
    return true;
  }
}
