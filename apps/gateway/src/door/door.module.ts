import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, redisConfig } from '#app/config';
import { RedisModule } from '#app/redis';
import { OriginPolicy } from '../auth/origin-policy.js';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';
import { TrustedProxies } from '../connections/trusted-proxies.js';
import { AddressBudget } from '../rate-limit/address-budget.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';

/**
 * Who may come in and how much they may ask, for the socket and the REST API alike: allowed origins,
 * trusted proxies (the client's address), credentials, and the message budgets per connection and per
 * address (the latter in Redis, shared by every gateway).
 */
@Module({
  imports: [ConfigModule.forFeature(gatewayConfig), ConfigModule.forFeature(redisConfig), RedisModule],
  providers: [OriginPolicy, TrustedProxies, UpgradeAuthenticator, AddressBudget, RateLimiter],
  exports: [OriginPolicy, TrustedProxies, UpgradeAuthenticator, AddressBudget, RateLimiter],
})
export class DoorModule {}
