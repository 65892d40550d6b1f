import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BarsQuery } from './bars.query.js';
import { queryProbe } from './query-probe.js';

const { accept, reject } = queryProbe(BarsQuery);
const INTERVAL = 'interval must be one of 1s, 1m';

describe('BarsQuery', () => {
  it('needs an interval and defaults to the last 100 bars', async () => {
    const query = await accept({ interval: '1m' });
    assert.ok(query instanceof BarsQuery);
    assert.deepEqual({ ...query }, { interval: '1m', limit: 100 });
    assert.equal((await reject({})).message, INTERVAL);
  });

  it('refuses an interval the processor does not keep', async () => {
    for (const interval of ['1h', '1M', '60s', '', ['1m', '1s']]) assert.equal((await reject({ interval })).message, INTERVAL);
  });

  it('turns from, to and limit into numbers', async () => {
    assert.deepEqual({ ...(await accept({ interval: '1s', from: '1764000000000', to: '1764000060000', limit: '7' })) }, {
      interval: '1s',
      from: 1764000000000,
      to: 1764000060000,
      limit: 7,
    });
    assert.deepEqual({ ...(await accept({ interval: '1s', to: '5' })) }, { interval: '1s', to: 5, limit: 100 });
  });

  it('accepts a range of one instant and refuses one that ends before it starts', async () => {
    assert.equal((await accept({ interval: '1m', from: '60000', to: '60000' })).to, 60000);
    assert.equal((await reject({ interval: '1m', from: '120000', to: '60000' })).message, 'to must not be before from');
  });

  it('refuses times that are not whole epoch milliseconds, and limits outside 1..1000', async () => {
    for (const from of ['-1', '1.5', 'now', '2026-11-25', '']) {
      assert.match((await reject({ interval: '1m', from })).message, /^from must be a whole number of epoch milliseconds/, from);
    }
    assert.match((await reject({ interval: '1m', to: '1e12' })).message, /^to must be a whole number of epoch milliseconds/);
    for (const limit of ['0', '1001', 'x']) {
      assert.equal((await reject({ interval: '1m', limit })).message, 'limit must be a whole number from 1 to 1000');
    }
  });

  it('refuses an unknown parameter', async () => {
    assert.equal((await reject({ interval: '1m', since: '5' })).message, 'property since should not exist');
  });
});
