import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerStatus } from './consumer-status.js';
import { PartitionRetries } from './partition-retries.js';

/**
 * Readiness: the Kafka consumer is running and no partition has failed past the retry budget. Redis
 * answering PING is not enough: an OOM or read-only Redis answers PING but refuses every quote.
 */
@Injectable()
export class ConsumerHealthIndicator {
  constructor(
    private readonly status: ConsumerStatus,
    private readonly retries: PartitionRetries,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'consumer') {
    const check = this.health.check(key);
    const now = Date.now();
    const { reason, ...report } = this.status.report(now);
    const failing = this.retries.failingPartitions(now);
    const details = failing.length > 0 ? { ...report, failing } : report;
    if (report.state !== 'running') return check.down({ message: `consumer ${report.state}: ${reason}`, ...details });
    const stalled = this.retries.stalledPartitions(now);
    if (stalled.length === 0) return check.up(details);
    const message = stalled
      .map((p) => `${p.partition} ${p.state} after ${p.failures} failed attempts in ${(p.failingForMs / 1000).toFixed(1)} s: ${p.reason}`)
      .join('; ');
    return check.down({ message, ...details });
  }
}
