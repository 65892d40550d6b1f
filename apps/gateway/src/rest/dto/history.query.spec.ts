import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HistoryQuery } from './history.query.js';
import { queryProbe } from './query-probe.js';

const { accept, reject } = queryProbe(HistoryQuery);
const SINCE = 'since must be the last seq you hold: a whole number from 0 to 9007199254740991';
const LIMIT = 'limit must be a whole number from 1 to 1000';

describe('HistoryQuery', () => {
  it('defaults to the last 100 quotes, without since', async () => {
    const query = await accept({});
    assert.ok(query instanceof HistoryQuery);
    assert.deepEqual({ ...query }, { limit: 100 });
  });

  it('turns since and limit into numbers, both given or either', async () => {
    assert.deepEqual({ ...(await accept({ since: '1764000000000123', limit: '5' })) }, { since: 1764000000000123, limit: 5 });
    assert.deepEqual({ ...(await accept({ since: '0' })) }, { since: 0, limit: 100 });
    assert.deepEqual({ ...(await accept({ limit: '1000' })) }, { limit: 1000 });
    assert.equal((await accept({ since: String(Number.MAX_SAFE_INTEGER) })).since, Number.MAX_SAFE_INTEGER);
  });

  it('refuses a since that is not a whole number written in digits, rather than reading it as one', async () => {
    for (const since of ['', '-1', '1.5', '1e3', '0x10', ' 5', '5 ', 'abc', '9007199254740992', '99999999999999999', ['1', '2']]) {
      assert.equal((await reject({ since })).message, SINCE, JSON.stringify(since));
    }
  });

  it('refuses a limit outside 1..1000', async () => {
    for (const limit of ['0', '1001', '', '-5', '10.0', 'all']) {
      assert.equal((await reject({ limit })).message, LIMIT, limit);
    }
  });

  it('names every wrong parameter in one message', async () => {
    assert.equal((await reject({ since: 'x', limit: '0' })).message, `${SINCE}; ${LIMIT}`);
  });

  it('refuses an unknown parameter', async () => {
    assert.equal((await reject({ after: '5' })).message, 'property after should not exist');
  });
});
