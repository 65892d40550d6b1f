import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { RequestBudget } from './address-budget.guard.js';

/**
 * Admits every request. Main has no per-address budget yet (it arrives with the `door` branch's
 * AddressBudget, shared through Redis); until then REST requests are not metered, and the log says so.
 */
@Injectable()
export class UnmeteredBudget implements RequestBudget, OnModuleInit {
  onModuleInit() {
    new Logger(UnmeteredBudget.name).warn('no per-address budget on this build: REST requests are not rate limited');
  }

  async take(): Promise<boolean> {
    return true;
  }
}
