import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerStatus } from './consumer-status.js';

const error = (message: string) => Object.assign(new Error(message), { name: 'KafkaJSNonRetriableError' });

describe('ConsumerStatus', () => {
  it('is starting until the consumer joins its group, then running', () => {
    const status = new ConsumerStatus();
    assert.equal(status.report().state, 'starting');
    status.joined({ ticks: [0, 1] });
    assert.deepEqual(status.report(), { state: 'running', lag: 0 });
  });

  it('reports a crash that kafkajs restarts as starting, and running again once it has rejoined', () => {
    const status = new ConsumerStatus();
    status.joined({ ticks: [0] });
    status.crashed(error('Connection error'), true);
    const restarting = status.report();
    assert.equal(restarting.state, 'starting');
    assert.match(restarting.reason!, /restarting.*Connection error/);
    status.joined({ ticks: [0] });
    assert.equal(status.report().state, 'running');
  });

  it('reports a crash that kafkajs will not restart as crashed for good, with the error', () => {
    const status = new ConsumerStatus();
    status.joined({ ticks: [0] });
    status.crashed(error('Not authorized to access group'), false);
    const report = status.report();
    assert.equal(report.state, 'crashed');
    assert.match(report.reason!, /will not restart.*Not authorized to access group.*restart the processor/);
  });

  it('stays stopped once the processor shuts down, whatever the consumer does on its way out', () => {
    const status = new ConsumerStatus();
    status.joined({ ticks: [0] });
    status.stopped();
    status.crashed(error('The coordinator is loading'), true);
    status.joined({ ticks: [0] });
    assert.equal(status.report().state, 'stopped');
  });

  it('gives the age of the last batch while there is lag, and only then', () => {
    const status = new ConsumerStatus();
    status.joined({ ticks: [0, 1] });
    status.batchDone('ticks', 0, 40, 1000);
    status.batchDone('ticks', 1, 2, 3000);
    assert.deepEqual(status.report(7000), { state: 'running', lag: 42, lastBatchAgeMs: 4000 });
    status.batchDone('ticks', 0, 0, 8000);
    status.batchDone('ticks', 1, 0, 8000);
    assert.deepEqual(status.report(9000), { state: 'running', lag: 0 });
  });

  it('forgets the lag of partitions a rebalance took away', () => {
    const status = new ConsumerStatus();
    status.joined({ ticks: [0, 1] });
    status.batchDone('ticks', 0, 5, 1000);
    status.batchDone('ticks', 1, 7, 1000);
    status.joined({ ticks: [1] });
    assert.equal(status.report(2000).lag, 7);
  });
});
