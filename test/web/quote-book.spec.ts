import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Quote } from '../../libs/contracts/src/quote.js';
import { QuoteBook, SPARKLINE_TICKS } from '../../apps/gateway/web/src/quote-book.js';

const T0 = 1_764_000_000_000;
const quote = (seq: number, price: number, timestamp = T0 + seq * 100, symbol = 'AAPL'): Quote => ({
  symbol,
  price,
  bid: price - 0.01,
  ask: price + 0.01,
  volume: 1000 + seq,
  change: 0,
  changePercent: 0,
  timestamp,
  seq,
});

describe('QuoteBook', () => {
  it('ignores an update whose seq is not above the last one seen for its symbol', () => {
    const book = new QuoteBook();
    assert.equal(book.applyUpdate(quote(5, 100)), true);
    assert.equal(book.applyUpdate(quote(5, 101)), false);
    assert.equal(book.applyUpdate(quote(4, 102)), false);
    assert.equal(book.get('AAPL')!.quote.price, 100);
    assert.equal(book.applyUpdate(quote(6, 99)), true);
    assert.equal(book.get('AAPL')!.direction, 'down');
  });

  it('takes a snapshot with a lower seq (the generator restarted) but not a repeat of the last quote', () => {
    const book = new QuoteBook();
    book.applyUpdate(quote(900, 100));
    assert.equal(book.applySnapshot(quote(900, 100)), false);
    assert.equal(book.applySnapshot(quote(3, 95, T0 + 200_000)), true);
    assert.equal(book.applyUpdate(quote(4, 96, T0 + 200_100)), true, 'updates continue from the new counter');
  });

  it('reports each changed symbol once per read however many ticks it had', () => {
    const book = new QuoteBook();
    for (let seq = 1; seq <= 10; seq++) book.applyUpdate(quote(seq, 100 + seq));
    book.applyUpdate(quote(1, 50, T0, 'MSFT'));
    assert.deepEqual(book.takeChanged(), ['AAPL', 'MSFT']);
    assert.deepEqual(book.takeChanged(), []);
    book.forget('MSFT');
    assert.equal(book.get('MSFT'), undefined);
  });

  it('keeps the last ticks for the sparkline, oldest first', () => {
    const book = new QuoteBook();
    for (let seq = 1; seq <= SPARKLINE_TICKS + 30; seq++) book.applyUpdate(quote(seq, 100 + seq, T0 + seq * 250));
    const { sparkline } = book.get('AAPL')!;
    assert.equal(sparkline.length, SPARKLINE_TICKS);
    assert.equal(sparkline[0], 100 + 31);
    assert.equal(sparkline.at(-1), 100 + SPARKLINE_TICKS + 30);
  });
});
