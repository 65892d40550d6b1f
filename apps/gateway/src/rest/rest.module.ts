import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig, redisConfig } from '#app/config';
import { RedisModule } from '#app/redis';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';
import { TrustedProxies } from '../connections/trusted-proxies.js';
import { FeedModule } from '../feed/feed.module.js';
import { AddressBudget } from '../rate-limit/address-budget.js';
import { AddressBudgetGuard } from './address-budget.guard.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { BarsController } from './bars.controller.js';
import { QuotesController } from './quotes.controller.js';
import { SymbolUniverse } from './symbol-universe.js';

/**
 * The REST API under /api (quotes, history, bars), beside the socket on the gateway's port. It has its own
 * instances of the socket's door classes (AppModule's are not exported to modules); they hold no state
 * that matters here: the address budget lives in Redis, so both instances draw on the same buckets.
 */
@Module({
  imports: [
    ConfigModule.forFeature(marketConfig),
    ConfigModule.forFeature(gatewayConfig),
    ConfigModule.forFeature(redisConfig),
    RedisModule,
    FeedModule,
  ],
  controllers: [QuotesController, BarsController],
  providers: [SymbolUniverse, TrustedProxies, AddressBudget, UpgradeAuthenticator, AddressBudgetGuard, ApiAuthGuard],
})
export class RestModule {}
