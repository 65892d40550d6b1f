import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { FIRST_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS, PartitionRetries } from './partition-retries.js';

const BUDGET = 3;

/** Retries over a fake consumer that logs every pause and resume; timers are node:test's mock timers. */
function harness() {
  const log: string[] = [];
  const retries = new PartitionRetries({ retryBudget: BUDGET });
  retries.attach({
    pause: (topic, partition) => log.push(`pause ${topic}[${partition}]`),
    resume: (topic, partition) => log.push(`resume ${topic}[${partition}]`),
  });
  return { retries, log };
}

/** One failed attempt: the batch starts (the retry) and fails. */
function failOnce(retries: PartitionRetries, reason = 'OOM') {
  retries.batchStarted('t', 0);
  retries.batchFailed('t', 0, reason);
}

describe('PartitionRetries', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('pauses a partition at its first failure and resumes it after the first back-off; readiness is not told before the budget is spent', () => {
    const { retries, log } = harness();
    failOnce(retries);
    assert.deepEqual(log, ['pause t[0]']);
    mock.timers.tick(FIRST_RETRY_DELAY_MS - 1);
    assert.deepEqual(log, ['pause t[0]'], 'no resume before the back-off');
    mock.timers.tick(1);
    assert.deepEqual(log, ['pause t[0]', 'resume t[0]']);
    assert.equal(retries.failingPartitions()[0].state, 'retrying');
    assert.deepEqual(retries.stalledPartitions(), []);
  });

  it('doubles the back-off with each failure in a row up to its cap, and reports the partition stalled with the reason once the budget is spent', () => {
    const { retries, log } = harness();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      failOnce(retries, `OOM #${attempt}`);
      let waited = 0;
      while (log.at(-1) !== 'resume t[0]') {
        mock.timers.tick(100);
        waited += 100;
      }
      delays.push(waited);
      const stalled = retries.stalledPartitions();
      assert.equal(stalled.length, attempt >= BUDGET ? 1 : 0, `stalled after ${attempt} failures`);
    }
    assert.deepEqual(delays, [200, 400, 800, 1600, 3200, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS]);
    const [stalled] = retries.stalledPartitions();
    assert.equal(stalled.partition, 't[0]');
    assert.equal(stalled.failures, 8);
    assert.equal(stalled.reason, 'OOM #8');
  });

  it('makes a partition whose retry succeeds a flowing one: nothing reported, no timer left behind', () => {
    const { retries, log } = harness();
    for (let i = 0; i < BUDGET; i++) {
      failOnce(retries);
      mock.timers.tick(MAX_RETRY_DELAY_MS);
    }
    assert.equal(retries.stalledPartitions().length, 1);
    retries.batchStarted('t', 0);
    retries.batchSucceeded('t', 0);
    assert.deepEqual(retries.failingPartitions(), []);
    const before = log.length;
    mock.timers.tick(10 * MAX_RETRY_DELAY_MS);
    assert.equal(log.length, before, 'no pause or resume after the partition flows again');
    failOnce(retries);
    assert.equal(retries.failingPartitions()[0].failures, 1, 'a later failure starts a new count');
  });

  it('failure during pause: a second failure reported while paused keeps a single timer, counts, and restarts the back-off from there', () => {
    const { retries, log } = harness();
    failOnce(retries);
    mock.timers.tick(FIRST_RETRY_DELAY_MS / 2);
    retries.batchFailed('t', 0, 'READONLY');
    assert.deepEqual(log, ['pause t[0]', 'pause t[0]']);
    mock.timers.tick(FIRST_RETRY_DELAY_MS);
    assert.deepEqual(log, ['pause t[0]', 'pause t[0]'], 'the first timer was replaced, not left to resume early');
    mock.timers.tick(2 * FIRST_RETRY_DELAY_MS);
    assert.deepEqual(log, ['pause t[0]', 'pause t[0]', 'resume t[0]'], 'one resume, after the second back-off');
    assert.deepEqual(retries.failingPartitions().map((p) => [p.failures, p.reason]), [[2, 'READONLY']]);
  });

  it('resume while a batch is in flight: a batch of a paused partition (kafkajs restarted and forgot the pause) is the retry, and the timer no longer fires into it', () => {
    const { retries, log } = harness();
    retries.batchFailed('t', 0, 'OOM');
    retries.batchStarted('t', 0);
    assert.equal(retries.failingPartitions()[0].state, 'retrying');
    mock.timers.tick(MAX_RETRY_DELAY_MS);
    assert.deepEqual(log, ['pause t[0]'], 'no resume while the retry batch is in flight');
    retries.batchFailed('t', 0, 'OOM');
    mock.timers.tick(2 * FIRST_RETRY_DELAY_MS);
    assert.deepEqual(log, ['pause t[0]', 'pause t[0]', 'resume t[0]'], 'paused again, resumed once after the second back-off');
  });

  it('resume while a batch is in flight: a success that overlaps a pause leaves the partition resumed, not paused for good', () => {
    const { retries, log } = harness();
    retries.batchFailed('t', 0, 'OOM');
    retries.batchSucceeded('t', 0);
    assert.deepEqual(log, ['pause t[0]', 'resume t[0]']);
    mock.timers.tick(MAX_RETRY_DELAY_MS);
    assert.deepEqual(log, ['pause t[0]', 'resume t[0]']);
  });

  it('stop while paused: no timer resumes a stopping consumer, and a failure reported after the stop pauses nothing', () => {
    const { retries, log } = harness();
    failOnce(retries);
    retries.stop();
    mock.timers.tick(10 * MAX_RETRY_DELAY_MS);
    retries.batchFailed('t', 1, 'OOM');
    retries.assigned({ t: [] });
    assert.deepEqual(log, ['pause t[0]']);
  });

  it('after a rebalance, forgets and resumes a paused partition that is no longer assigned, and pauses again one that still is', () => {
    const { retries, log } = harness();
    retries.batchFailed('t', 0, 'OOM');
    retries.batchFailed('t', 1, 'OOM');
    log.length = 0;
    retries.assigned({ t: [1, 2] });
    assert.deepEqual(log, ['resume t[0]', 'pause t[1]']);
    assert.deepEqual(retries.failingPartitions().map((p) => p.partition), ['t[1]']);
    mock.timers.tick(FIRST_RETRY_DELAY_MS);
    assert.deepEqual(log, ['resume t[0]', 'pause t[1]', 'resume t[1]'], 'the forgotten partition has no timer left');
  });

  it('retryAll resumes every paused partition at once, not after its back-off, and no timer fires into it afterwards', () => {
    const { retries, log } = harness();
    for (let i = 0; i < BUDGET; i++) failOnce(retries, 'STATE_LOST');
    retries.batchFailed('t', 1, 'STATE_LOST');
    log.length = 0;
    retries.retryAll();
    assert.deepEqual(log.sort(), ['resume t[0]', 'resume t[1]']);
    mock.timers.tick(MAX_RETRY_DELAY_MS);
    assert.equal(log.length, 2, 'the back-off timers were cleared');
    assert.ok(retries.failingPartitions().every((p) => p.state === 'retrying'));
  });
});
