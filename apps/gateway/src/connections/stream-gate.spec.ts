import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_GATED_UPDATES, StreamGate } from './stream-gate.js';

const frame = (name: string) => Buffer.from(name);
const names = (kept: Array<{ frame: Buffer }>) => kept.map((u) => String(u.frame));

describe('StreamGate', () => {
  it('keeps updates while the snapshot is read and lets out only those newer than it, in order', () => {
    const gate = new StreamGate();
    assert.equal(gate.holds(5, frame('5')), true);
    assert.equal(gate.holds(6, frame('6')), true);
    assert.equal(gate.holds(7, frame('7')), true);
    assert.deepEqual(names(gate.open(5)), ['6', '7']);
    assert.equal(gate.isDone, true);
  });

  it('skips updates the snapshot covered that arrive after it (they came on the other connection), until a newer one', () => {
    const gate = new StreamGate();
    assert.deepEqual(names(gate.open(10)), []);
    assert.equal(gate.isDone, false);
    assert.equal(gate.holds(9, frame('9')), true);
    assert.equal(gate.holds(10, frame('10')), true);
    assert.equal(gate.holds(11, frame('11')), false);
    assert.equal(gate.isDone, true);
  });

  it('lets through the frame closing the bar it sent (same seq), kept or arriving later, but not that bar again (bug 4)', () => {
    const kept = new StreamGate();
    kept.holds(4, frame('bar-4'));
    kept.holds(5, frame('bar-5'));
    kept.holds(5, frame('bar-5 closed'), true);
    kept.holds(6, frame('bar-6'));
    assert.deepEqual(names(kept.open(5)), ['bar-5 closed', 'bar-6']);

    const late = new StreamGate();
    late.open(5);
    assert.equal(late.holds(4, frame('bar-4')), true);
    assert.equal(late.holds(5, frame('bar-5')), true, 'the bar the snapshot sent, still on its way');
    assert.equal(late.holds(5, frame('bar-5 closed'), true), false);
    assert.equal(late.holds(6, frame('bar-6')), false);
  });

  it('lets everything through when nothing was sent (no stored quote, a failed read)', () => {
    const gate = new StreamGate();
    gate.holds(1, frame('1'));
    gate.holds(2, frame('2'));
    assert.deepEqual(names(gate.open(undefined)), ['1', '2']);
  });

  it('past MAX_GATED_UPDATES keeps only the newest, counts the ones it dropped, and keeps what follows', () => {
    const gate = new StreamGate();
    for (let seq = 1; seq <= MAX_GATED_UPDATES + 3; seq++) gate.holds(seq, frame(String(seq)));
    assert.equal(gate.dropped, MAX_GATED_UPDATES);
    assert.deepEqual(names(gate.open(0)), [MAX_GATED_UPDATES + 1, MAX_GATED_UPDATES + 2, MAX_GATED_UPDATES + 3].map(String));
  });
});
