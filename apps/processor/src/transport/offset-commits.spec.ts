import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { OffsetsByTopicPartition } from 'kafkajs';
import { OffsetCommits, type CommitSource } from './offset-commits.js';

const INTERVAL = 200;

/**
 * kafkajs' side as the committer sees it: offsets resolved and not yet committed, and commits that
 * stay pending until the spec settles them.
 */
function fakeSource() {
  let uncommitted = new Map<number, string>();
  const commits: Array<{ offsets: OffsetsByTopicPartition; settle: (err?: Error) => void }> = [];
  const source: CommitSource = {
    uncommittedOffsets: () => ({
      topics: uncommitted.size === 0 ? [] : [{ topic: 't', partitions: [...uncommitted].map(([partition, offset]) => ({ partition, offset })) }],
    }),
    commitOffsetsIfNecessary: (offsets) =>
      new Promise<void>((resolve, reject) => {
        commits.push({
          offsets: offsets!,
          settle: (err) => {
            if (err) return reject(err);
            const sent = new Map(offsets!.topics[0].partitions.map((p) => [p.partition, p.offset]));
            uncommitted = new Map([...uncommitted].filter(([partition, offset]) => sent.get(partition) !== offset));
            resolve();
          },
        });
      }),
  };
  const resolve = (partition: number, next: string) => uncommitted.set(partition, next);
  const sent = (i: number) => commits[i].offsets.topics[0].partitions.map((p) => `${p.partition}@${p.offset}`);
  return { source, commits, resolve, sent };
}

/** Lets the promise callbacks of a settled commit run. */
const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OffsetCommits', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('commits every interval what kafkajs holds resolved and uncommitted, and sends nothing when that is nothing', async () => {
    const commits = new OffsetCommits(INTERVAL);
    const kafka = fakeSource();
    kafka.resolve(0, '10');
    kafka.resolve(3, '7');
    commits.track(kafka.source);
    mock.timers.tick(INTERVAL - 1);
    assert.equal(kafka.commits.length, 0, 'nothing before the interval');
    mock.timers.tick(1);
    assert.deepEqual(kafka.sent(0), ['0@10', '3@7']);
    kafka.commits[0].settle();
    await flushMicrotasks();
    mock.timers.tick(INTERVAL * 3);
    assert.equal(kafka.commits.length, 1, 'no commit while nothing new is resolved');
    kafka.resolve(0, '12');
    mock.timers.tick(INTERVAL);
    assert.deepEqual(kafka.sent(1), ['0@12']);
  });

  it('keeps one commit in flight: a slow commit is not overtaken by the next interval', async () => {
    const commits = new OffsetCommits(INTERVAL);
    const kafka = fakeSource();
    kafka.resolve(0, '10');
    commits.track(kafka.source);
    mock.timers.tick(INTERVAL);
    kafka.resolve(0, '20');
    mock.timers.tick(INTERVAL * 5);
    assert.equal(kafka.commits.length, 1, 'still the first commit');
    kafka.commits[0].settle();
    await flushMicrotasks();
    mock.timers.tick(INTERVAL);
    assert.deepEqual(kafka.sent(1), ['0@20']);
  });

  it('sends the offsets of a failed commit again with the next one, and does not throw from the timer', async () => {
    const commits = new OffsetCommits(INTERVAL);
    const kafka = fakeSource();
    kafka.resolve(1, '5');
    commits.track(kafka.source);
    mock.timers.tick(INTERVAL);
    kafka.commits[0].settle(new Error('The group is rebalancing'));
    await flushMicrotasks();
    mock.timers.tick(INTERVAL);
    assert.deepEqual(kafka.sent(1), ['1@5']);
  });

  it('flush waits for the commit in flight, then commits what was resolved meanwhile, and nothing commits after it', async () => {
    const commits = new OffsetCommits(INTERVAL);
    const kafka = fakeSource();
    kafka.resolve(0, '10');
    commits.track(kafka.source);
    mock.timers.tick(INTERVAL);
    kafka.resolve(0, '15');
    let flushed = false;
    const flushing = commits.flush().then(() => (flushed = true));
    await flushMicrotasks();
    assert.equal(kafka.commits.length, 1, 'the last commit waits for the one in flight');
    kafka.commits[0].settle();
    await flushMicrotasks();
    assert.deepEqual(kafka.sent(1), ['0@15']);
    assert.equal(flushed, false, 'flush resolves once the last commit is done');
    kafka.commits[1].settle();
    await flushing;
    kafka.resolve(0, '30');
    commits.track(kafka.source);
    mock.timers.tick(INTERVAL * 3);
    assert.equal(kafka.commits.length, 2, 'no commit after flush');
  });

  it('flush with nothing ever tracked or nothing uncommitted sends nothing', async () => {
    await new OffsetCommits(INTERVAL).flush();
    const commits = new OffsetCommits(INTERVAL);
    const kafka = fakeSource();
    commits.track(kafka.source);
    await commits.flush();
    assert.equal(kafka.commits.length, 0);
  });
});
