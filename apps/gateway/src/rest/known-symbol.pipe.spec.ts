import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { KnownSymbolPipe } from './known-symbol.pipe.js';
import { SymbolUniverse } from './symbol-universe.js';

const universe = new SymbolUniverse({ symbols: ['AAPL', 'BRK.B', 'GOOG'].map((symbol) => ({ symbol, basePrice: 1, volatility: 0.1 })) });
const pipe = new KnownSymbolPipe(universe);

describe('KnownSymbolPipe and SymbolUniverse', () => {
  it('upper-cases a traded symbol from the path', () => {
    assert.equal(pipe.transform('aapl'), 'AAPL');
    assert.equal(pipe.transform('brk.b'), 'BRK.B');
  });

  it('answers 400 for what cannot be a ticker, without echoing it', () => {
    for (const value of ['', '$', '1AAPL', 'AAPL/../X', 'A'.repeat(11), '<script>']) {
      assert.throws(() => pipe.transform(value), (err: BadRequestException) => {
        assert.ok(err instanceof BadRequestException);
        assert.equal(err.message, 'symbol must be a ticker: a letter, then up to nine letters, digits, dots or dashes');
        return true;
      });
    }
  });

  it('answers 404 naming a well-formed symbol that is not traded here', () => {
    assert.throws(() => pipe.transform('msft'), (err: NotFoundException) => err instanceof NotFoundException && err.message === 'Unknown symbol: MSFT');
  });

  it('names every unknown symbol of a list in one 404', () => {
    assert.doesNotThrow(() => universe.assertKnown(['AAPL', 'GOOG']));
    assert.throws(() => universe.assertKnown(['AAPL', 'MSFT', 'TSLA']), { message: 'Unknown symbols: MSFT, TSLA' });
  });
});
