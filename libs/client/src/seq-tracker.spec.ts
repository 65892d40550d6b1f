import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeqTracker } from './seq-tracker.js';

describe('SeqTracker', () => {
  it('takes rising seqs and drops a repeated one as duplicate and a lower one as stale', () => {
    const seqs = new SeqTracker();
    assert.deepEqual(seqs.update('AAPL', 5, true), { accepted: true, missed: 0, after: undefined });
    assert.deepEqual(seqs.update('AAPL', 6, true), { accepted: true, missed: 0, after: 5 });
    assert.deepEqual(seqs.update('AAPL', 6, true), { accepted: false, reason: 'duplicate' });
    assert.deepEqual(seqs.update('AAPL', 4, true), { accepted: false, reason: 'stale' });
    assert.equal(seqs.lastSeq('AAPL'), 6);
  });

  it('counts the seqs a contiguous stream skipped, and none on a conflated one', () => {
    const seqs = new SeqTracker();
    seqs.update('AAPL', 5, true);
    assert.deepEqual(seqs.update('AAPL', 9, true), { accepted: true, missed: 3, after: 5 });
    assert.deepEqual(seqs.update('AAPL', 20, false), { accepted: true, missed: 0, after: 9 });
  });

  it('takes a snapshot unless it is the quote held, even a lower seq (the generator restarted its counters)', () => {
    const seqs = new SeqTracker();
    assert.equal(seqs.snapshot('AAPL', 50), true);
    assert.equal(seqs.snapshot('AAPL', 50), false);
    assert.equal(seqs.snapshot('AAPL', 3), true);
    assert.deepEqual(seqs.update('AAPL', 4, true), { accepted: true, missed: 0, after: 3 });
  });

  it('gives since for the symbols it holds a seq of, and forgets a symbol entirely', () => {
    const seqs = new SeqTracker();
    assert.equal(seqs.since(['AAPL']), undefined);
    seqs.update('AAPL', 7, true);
    seqs.update('MSFT', 2, true);
    assert.deepEqual(seqs.since(['AAPL', 'GOOG', 'MSFT']), { AAPL: 7, MSFT: 2 });
    seqs.forget('AAPL');
    assert.deepEqual(seqs.since(['AAPL', 'MSFT']), { MSFT: 2 });
    assert.deepEqual(seqs.update('AAPL', 1, true), { accepted: true, missed: 0, after: undefined });
  });
});
