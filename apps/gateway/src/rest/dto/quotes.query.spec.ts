import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuotesQuery } from './quotes.query.js';
import { queryProbe } from './query-probe.js';

const { accept, reject } = queryProbe(QuotesQuery);
const LIST = /^symbols must be a comma-separated list of tickers such as AAPL,GOOG/;

describe('QuotesQuery', () => {
  it('upper-cases, trims and de-duplicates the comma-separated symbols', async () => {
    const query = await accept({ symbols: 'aapl, GOOG ,Aapl,brk.b' });
    assert.ok(query instanceof QuotesQuery);
    assert.deepEqual(query.symbols, ['AAPL', 'GOOG', 'BRK.B']);
  });

  it('reads a repeated parameter as one list', async () => {
    assert.deepEqual((await accept({ symbols: ['AAPL', 'msft,goog'] })).symbols, ['AAPL', 'MSFT', 'GOOG']);
  });

  it('answers a missing list with a 400 that says what to send, in Nest\'s error shape with one message', async () => {
    assert.deepEqual(await reject({}), {
      statusCode: 400,
      error: 'Bad Request',
      message: 'symbols is required: a comma-separated list of tickers such as AAPL,GOOG',
    });
  });

  it('refuses a malformed list rather than repairing it: empty entries, non-tickers, too long', async () => {
    for (const symbols of ['', ',', 'AAPL,,GOOG', 'AAPL,', '$$$', 'AAPL;GOOG', '1AAPL', 'ABCDEFGHIJK', 'AA PL']) {
      assert.match((await reject({ symbols })).message, LIST, symbols);
    }
  });

  it('refuses what is not a string list, such as a nested parameter', async () => {
    assert.match((await reject({ symbols: { a: 'AAPL' } })).message, LIST);
    assert.match((await reject({ symbols: ['AAPL', 5] })).message, LIST);
  });

  it('refuses more than 100 symbols, counting each once', async () => {
    const tickers = Array.from({ length: 101 }, (_, i) => `S${i}`);
    assert.equal((await reject({ symbols: tickers.join(',') })).message, 'symbols may name at most 100 tickers');
    assert.equal((await accept({ symbols: [...tickers.slice(0, 100), 'S0'].join(',') })).symbols.length, 100);
  });

  it('refuses a parameter it does not know, so a misspelling is not ignored', async () => {
    assert.equal((await reject({ symbols: 'AAPL', symbol: 'GOOG' })).message, 'property symbol should not exist');
  });
});
