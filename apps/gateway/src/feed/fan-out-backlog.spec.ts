import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FanOutBacklog, type FanOutItem } from './fan-out-backlog.js';

/** A clock the spec moves, and deferred work the spec runs when it says the event loop turns. */
function harness(budgetMs = 10) {
  let time = 0;
  const queue: Array<() => void> = [];
  const sent: string[] = [];
  const backlog = new FanOutBacklog((item: FanOutItem) => sent.push(`${item.key}=${item.json}`), {
    budgetMs,
    now: () => time,
    defer: (run) => queue.push(run),
  });
  return {
    backlog,
    sent,
    advance: (ms: number) => (time += ms),
    /** One turn of the event loop: what was deferred so far runs. */
    turn: () => queue.splice(0).forEach((run) => run()),
  };
}

const item = (key: string, json: string) => ({ key, head: '', json });

describe('FanOutBacklog', () => {
  it('fans out at once while the turn is within its budget', () => {
    const { backlog, sent, advance } = harness();
    backlog.push(item('AAPL', '1'));
    advance(5);
    backlog.push(item('GOOG', '1'));
    assert.deepEqual(sent, ['AAPL=1', 'GOOG=1']);
    assert.equal(backlog.size, 0);
  });

  it('past the budget, keeps the latest per stream and sends it in a later turn, counting what it conflated', () => {
    const { backlog, sent, advance, turn } = harness();
    backlog.push(item('AAPL', '1'));
    advance(11);
    backlog.push(item('AAPL', '2'));
    backlog.push(item('GOOG', '1'));
    backlog.push(item('AAPL', '3'));
    assert.deepEqual(sent, ['AAPL=1']);
    assert.equal(backlog.size, 2);
    turn();
    assert.deepEqual(sent, ['AAPL=1', 'AAPL=3', 'GOOG=1']);
    assert.equal(backlog.conflated, 1);
    assert.equal(backlog.deferred, 2);
  });

  it('keeps later messages behind the backlog so a stream never goes backwards, and fans out at once again once it is empty', () => {
    const { backlog, sent, advance, turn } = harness();
    backlog.push(item('AAPL', '1'));
    advance(11);
    backlog.push(item('AAPL', '2'));
    turn(); // drains AAPL=2, and a new turn begins
    advance(1);
    backlog.push(item('AAPL', '3'));
    assert.deepEqual(sent, ['AAPL=1', 'AAPL=2', 'AAPL=3']);
  });

  it('works off a large backlog a budget at a time, letting the event loop read in between', () => {
    let time = 0;
    const queue: Array<() => void> = [];
    const sent: string[] = [];
    const backlog = new FanOutBacklog(
      (i) => {
        sent.push(i.key);
        time += 4; // each fan-out costs 4 ms
      },
      { budgetMs: 10, now: () => time, defer: (run) => queue.push(run) },
    );
    backlog.push(item('S0', '0'));
    time += 10;
    for (let i = 1; i <= 5; i++) backlog.push(item(`S${i}`, '0'));
    assert.deepEqual(sent, ['S0']);
    queue.splice(0).forEach((run) => run());
    assert.deepEqual(sent, ['S0', 'S1', 'S2', 'S3'], 'three fan-outs reach the 10 ms budget');
    queue.splice(0).forEach((run) => run());
    assert.deepEqual(sent, ['S0', 'S1', 'S2', 'S3', 'S4', 'S5']);
    assert.equal(backlog.size, 0);
  });
});
