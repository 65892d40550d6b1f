import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { StateRebuild } from './state-rebuild.js';

/**
 * Readiness: Redis holds the whole state. While it is rebuilt from Kafka the check is down with the
 * replay's progress (the gateway keeps serving what Redis holds meanwhile).
 */
@Injectable()
export class RebuildHealthIndicator {
  constructor(
    private readonly rebuild: StateRebuild,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'state') {
    const check = this.health.check(key);
    const state = this.rebuild.status;
    const { replayed, total, startedAt, attempts } = this.rebuild.progress;
    if (state === 'whole') return check.up({ state, rebuilds: attempts });
    const details = { state, replayed, total, rebuilds: attempts, ...(startedAt === undefined ? {} : { runningForMs: Date.now() - startedAt }) };
    const message = state === 'rebuilding' ? `rebuilding Redis from Kafka: ${replayed} of ${total} ticks replayed` : `Redis state ${state}`;
    return check.down({ message, ...details });
  }
}
