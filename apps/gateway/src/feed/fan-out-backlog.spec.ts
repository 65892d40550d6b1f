import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryTurn } from '../connections/delivery-turn.js';
import { FanOutBacklog, type FanOutItem } from './fan-out-backlog.js';

/**
 * A clock the spec moves, and deferred work the spec runs when it says the event loop turns. `write`
 * stands for the outboxes' writes: delivery work of the same turn, on the same budget.
 */
function harness({ budgetMs = 10, maxWaiting = 100, maxWaitMs = 1000, costMs = 0 } = {}) {
  let time = 0;
  const queue: Array<() => void> = [];
  const sent: string[] = [];
  const clock = { now: () => time, defer: (run: () => void) => queue.push(run) };
  const turn = new DeliveryTurn(budgetMs, clock);
  const backlog = new FanOutBacklog(
    (item: FanOutItem) => {
      sent.push(`${item.key}=${item.json}`);
      time += costMs;
    },
    { turn, maxWaiting, maxWaitMs, ...clock },
  );
  return {
    backlog,
    sent,
    turnState: turn,
    advance: (ms: number) => (time += ms),
    write: (ms: number) => {
      turn.hasTime();
      time += ms;
    },
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

  it('past the budget, keeps every message in order for a later turn, losing none', () => {
    const { backlog, sent, advance, turn } = harness();
    backlog.push(item('AAPL', '1'));
    advance(11);
    backlog.push(item('AAPL', '2'));
    backlog.push(item('GOOG', '1'));
    backlog.push(item('AAPL', '3'));
    assert.deepEqual(sent, ['AAPL=1']);
    turn();
    assert.deepEqual(sent, ['AAPL=1', 'AAPL=2', 'GOOG=1', 'AAPL=3']);
    assert.equal(backlog.conflated, 0);
  });

  it('once too many wait, keeps only the latest per stream, counting what it dropped, and a stream never goes backwards', () => {
    const { backlog, sent, advance, turn } = harness({ maxWaiting: 3 });
    backlog.push(item('AAPL', '1'));
    advance(11);
    for (const [key, json] of [['AAPL', '2'], ['GOOG', '1'], ['AAPL', '3'], ['GOOG', '2']]) backlog.push(item(key, json));
    assert.equal(backlog.size, 2);
    assert.equal(backlog.conflated, 2);
    turn();
    assert.deepEqual(sent, ['AAPL=1', 'AAPL=3', 'GOOG=2']);
  });

  it('keeps later messages behind the backlog, and fans out at once again once it is empty', () => {
    const { backlog, sent, advance, turn } = harness();
    backlog.push(item('AAPL', '1'));
    advance(11);
    backlog.push(item('AAPL', '2'));
    turn();
    advance(1);
    backlog.push(item('AAPL', '3'));
    assert.deepEqual(sent, ['AAPL=1', 'AAPL=2', 'AAPL=3']);
  });

  it('works off a large backlog a budget at a time, letting the event loop read in between', () => {
    const { backlog, sent, advance, turn } = harness({ costMs: 4 });
    backlog.push(item('S0', '0'));
    advance(10);
    for (let i = 1; i <= 5; i++) backlog.push(item(`S${i}`, '0'));
    assert.deepEqual(sent, ['S0=0']);
    turn();
    assert.equal(sent.length, 4, 'three fan-outs reach the 10 ms budget');
    turn();
    assert.equal(sent.length, 6);
    assert.equal(backlog.size, 0);
  });

  it('keeps only the latest per stream once the oldest waiting message has waited too long', () => {
    const { backlog, sent, advance, turn } = harness({ maxWaitMs: 100 });
    backlog.push(item('AAPL', '1'));
    advance(11);
    backlog.push(item('AAPL', '2'));
    backlog.push(item('GOOG', '1'));
    advance(50);
    backlog.push(item('AAPL', '3'));
    assert.equal(backlog.conflated, 0, 'waited 50 ms: nothing dropped yet');
    advance(60);
    backlog.push(item('AAPL', '4'));
    assert.equal(backlog.conflated, 2, 'the oldest waited 110 ms: AAPL 2 and 3 dropped');
    turn();
    assert.deepEqual(sent, ['AAPL=1', 'GOOG=1', 'AAPL=4']);
  });

  it('keeps only the latest per stream once the oldest has waited too long, even when no message follows', () => {
    // The last messages of a run: nothing is pushed after them, and a backlog worked off a budget at a
    // time would send every stale quote before the latest, seconds after the last publish.
    const { backlog, sent, advance, turn } = harness({ maxWaitMs: 100, costMs: 4 });
    backlog.push(item('AAPL', '0'));
    advance(10);
    for (let i = 1; i <= 6; i++) backlog.push(item(i % 2 ? 'AAPL' : 'GOOG', String(i)));
    turn();
    assert.deepEqual(sent, ['AAPL=0', 'AAPL=1', 'GOOG=2', 'AAPL=3'], 'a budget of work, nothing dropped yet');
    advance(100);
    turn();
    assert.deepEqual(sent.slice(4), ['AAPL=5', 'GOOG=6'], 'waited past 100 ms: the latest of each stream only');
    assert.equal(backlog.conflated, 1);
    assert.equal(backlog.size, 0);
  });

  it('drops what it fanned out while a backlog never empties, so its memory stays bounded (bug 6)', () => {
    const { backlog, advance, turn } = harness({ budgetMs: 10, maxWaiting: 1_000_000, maxWaitMs: 1_000_000, costMs: 1 });
    advance(1);
    for (let i = 0; i < 60; i++) backlog.push(item(`S${i % 12}`, String(i)));
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 10; i++) backlog.push(item(`S${i}`, `r${round}`));
      turn();
    }
    assert.equal(backlog.size, 50, 'as many arrive each turn as one budget fans out');
    assert.ok(backlog.held < 2 * backlog.size + 20, `holds ${backlog.held} entries for ${backlog.size} waiting`);
  });

  it("keeps a message marked keep (a bar's closing frame) when it cuts to the latest per stream", () => {
    const { backlog, sent, advance } = harness({ budgetMs: 10, maxWaiting: 3 });
    advance(1);
    backlog.push(item('X', 'first'));
    advance(20);
    backlog.push(item('1m:AAPL', 'bar-5'));
    backlog.push({ ...item('1m:AAPL', 'bar-5 closed'), keep: true });
    backlog.push(item('1m:AAPL', 'bar-6'));
    backlog.push(item('1m:AAPL', 'bar-7'));
    assert.deepEqual(backlog.size, 2);
    assert.deepEqual(sent, ['X=first']);
  });

  it("counts the writes fan-out queued against the turn's budget: once they have spent it, messages wait for a later turn", () => {
    // Writing what fan-out queued costs several times the fan-out; a turn that fanned out within budget
    // and then wrote for hundreds of ms read Redis a few times a second (issue 19, goal 7).
    const { backlog, sent, write, turn } = harness({ budgetMs: 10 });
    backlog.push(item('AAPL', '1'));
    turn();
    write(11); // the check phase: the outboxes write what AAPL 1 queued
    backlog.push(item('AAPL', '2')); // the next poll
    assert.deepEqual(sent, ['AAPL=1']);
    assert.equal(backlog.size, 1);
    turn();
    assert.deepEqual(sent, ['AAPL=1', 'AAPL=2']);
  });

  it('holds messages back while writes of an earlier turn are left, and fans them out once they are written', () => {
    const { backlog, sent, turnState, turn } = harness();
    turnState.writesLeft = true;
    backlog.push(item('AAPL', '1'));
    turn();
    assert.deepEqual(sent, [], 'the writer has not caught up: nothing is queued behind its outboxes');
    assert.equal(backlog.size, 1);
    turnState.writesLeft = false;
    turn();
    assert.deepEqual(sent, ['AAPL=1']);
  });

  it('still cuts to the latest per stream while it waits for the writes', () => {
    const { backlog, sent, turnState, advance, turn } = harness({ maxWaitMs: 100 });
    turnState.writesLeft = true;
    for (let i = 1; i <= 4; i++) backlog.push(item('AAPL', String(i)));
    advance(101);
    turn();
    assert.equal(backlog.conflated, 3);
    turnState.writesLeft = false;
    turn();
    assert.deepEqual(sent, ['AAPL=4']);
  });
});
