import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bar } from '../../libs/contracts/src/bar.js';
import { CandleBook } from '../../apps/gateway/web/src/candle-book.js';

const MINUTE = 60_000;
const T0 = 1_764_000_000_000 - (1_764_000_000_000 % MINUTE);
const bar = (minute: number, seq: number, closed = false): Bar => ({
  symbol: 'AAPL',
  interval: '1m',
  start: T0 + minute * MINUTE,
  open: 100,
  high: 101,
  low: 99,
  close: 100 + seq / 100,
  volume: seq,
  ticks: seq,
  seq,
  closed,
});
const starts = (book: CandleBook) => book.bars.map((b) => (b.start - T0) / MINUTE);

describe('CandleBook', () => {
  it('appends a later bar and moves the current one while its seq rises', () => {
    const book = new CandleBook();
    assert.equal(book.apply(bar(0, 1)), 'latest');
    assert.equal(book.apply(bar(0, 2)), 'latest');
    assert.equal(book.apply(bar(1, 3)), 'latest');
    assert.deepEqual(starts(book), [0, 1]);
    assert.equal(book.bars[0].seq, 2);
  });

  it('closes the previous bar in place when its closed frame comes after the next bar opened', () => {
    const book = new CandleBook();
    book.apply(bar(0, 2));
    book.apply(bar(1, 3));
    assert.equal(book.apply(bar(0, 2, true)), 'historical');
    assert.equal(book.bars[0].closed, true);
    assert.equal(book.apply(bar(0, 2, false)), 'none', 'an open version never reopens a closed bar');
  });

  it('keeps the newer version when the REST page and the stream overlap, in either order', () => {
    const book = new CandleBook();
    book.apply(bar(2, 9));
    assert.equal(book.load([bar(0, 1, true), bar(1, 5, true), bar(2, 7)]), true);
    assert.deepEqual(starts(book), [0, 1, 2]);
    assert.equal(book.bars[2].seq, 9, 'the stream was ahead of the page');
    assert.equal(book.load([bar(1, 5, true), bar(2, 8)]), false, 'nothing newer: nothing to redraw');
  });

  it('inserts a missing minute in order, which needs a full redraw', () => {
    const book = new CandleBook();
    book.load([bar(0, 1), bar(3, 4)]);
    assert.equal(book.apply(bar(1, 2, true)), 'all');
    assert.deepEqual(starts(book), [0, 1, 3]);
  });

  it('holds at most its bound, dropping the oldest, and ignores bars older than a full book', () => {
    const book = new CandleBook(3);
    book.load([bar(0, 1), bar(1, 2), bar(2, 3), bar(3, 4)]);
    assert.deepEqual(starts(book), [1, 2, 3]);
    assert.equal(book.apply(bar(0, 1)), 'none');
    book.clear();
    assert.deepEqual(book.bars, []);
  });
});
