import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig, redisConfig } from '#app/config';
import { RedisModule } from '#app/redis';
import { DoorModule } from '../door/door.module.js';
import { FeedModule } from '../feed/feed.module.js';
import { AddressBudgetGuard } from './address-budget.guard.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { BarsController } from './bars.controller.js';
import { QuotesController } from './quotes.controller.js';
import { SymbolUniverse } from './symbol-universe.js';

/** The REST API under /api (quotes, history, bars), beside the socket on the gateway's port, behind the same door. */
@Module({
  imports: [
    ConfigModule.forFeature(marketConfig),
    ConfigModule.forFeature(gatewayConfig),
    ConfigModule.forFeature(redisConfig),
    RedisModule,
    FeedModule,
    DoorModule,
  ],
  controllers: [QuotesController, BarsController],
  providers: [SymbolUniverse, AddressBudgetGuard, ApiAuthGuard],
})
export class RestModule {}
