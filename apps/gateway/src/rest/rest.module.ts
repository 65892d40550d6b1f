import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig, marketConfig } from '#app/config';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';
import { FeedModule } from '../feed/feed.module.js';
import { AddressBudgetGuard } from './address-budget.guard.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { BarsController } from './bars.controller.js';
import { PeerAddress } from './peer-address.js';
import { QuotesController } from './quotes.controller.js';
import { ADDRESS_BUDGET, CLIENT_ADDRESS } from './rest.constants.js';
import { SymbolUniverse } from './symbol-universe.js';
import { UnmeteredBudget } from './unmetered-budget.js';

/** The REST API under /api (quotes, history, bars), beside the socket on the gateway's port. */
@Module({
  imports: [ConfigModule.forFeature(marketConfig), ConfigModule.forFeature(gatewayConfig), FeedModule],
  controllers: [QuotesController, BarsController],
  providers: [
    SymbolUniverse,
    AddressBudgetGuard,
    UpgradeAuthenticator,
    ApiAuthGuard,
    { provide: ADDRESS_BUDGET, useClass: UnmeteredBudget },
    { provide: CLIENT_ADDRESS, useClass: PeerAddress },
  ],
})
export class RestModule {}
