import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerHealthIndicator } from './consumer-health.indicator.js';
import { ConsumerStatus } from './consumer-status.js';
import { PartitionRetries } from './partition-retries.js';

function harness() {
  const status = new ConsumerStatus();
  const retries = new PartitionRetries({ retryBudget: 2 });
  retries.attach({ pause: () => undefined, resume: () => undefined });
  const indicator = new ConsumerHealthIndicator(status, retries, new HealthIndicatorService());
  return { status, retries, indicator };
}

describe('ConsumerHealthIndicator', () => {
  it('is up while the consumer runs, showing a partition that failed within the budget', async () => {
    const { status, retries, indicator } = harness();
    status.joined({ ticks: [0] });
    retries.batchFailed('ticks', 0, 'QUOTE_WRITE_FAILED: OOM');
    const result = (await indicator.isHealthy()).consumer as Record<string, unknown>;
    retries.stop();
    assert.equal(result.status, 'up');
    assert.equal((result.failing as Array<{ partition: string }>)[0].partition, 'ticks[0]');
  });

  it('is down, naming the partition, the attempts and the reason, once a partition has spent the budget', async () => {
    const { status, retries, indicator } = harness();
    status.joined({ ticks: [0] });
    retries.batchFailed('ticks', 0, 'QUOTE_WRITE_FAILED: OOM');
    retries.batchFailed('ticks', 0, 'QUOTE_WRITE_FAILED: OOM');
    const result = (await indicator.isHealthy()).consumer as Record<string, unknown>;
    retries.stop();
    assert.equal(result.status, 'down');
    assert.match(String(result.message), /^ticks\[0\] paused after 2 failed attempts in \d+\.\d s: QUOTE_WRITE_FAILED: OOM$/);
  });

  it('is down with the reason while the consumer is not running', async () => {
    const { status, indicator } = harness();
    status.joined({ ticks: [0] });
    status.crashed(new Error('group authorization failed'), false);
    const result = (await indicator.isHealthy()).consumer as Record<string, unknown>;
    assert.equal(result.status, 'down');
    assert.equal(result.state, 'crashed');
    assert.match(String(result.message), /^consumer crashed: .*group authorization failed/);
  });
});
