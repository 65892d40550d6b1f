import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientFrame } from './client-frame.parser.js';

const code = (raw: unknown) => {
  const parsed = parseClientFrame(raw, 5);
  return parsed.event === 'invalid' ? parsed.data.code : parsed.event;
};

describe('parseClientFrame', () => {
  it('maps subscribe and unsubscribe to events with upper-cased, de-duplicated symbols', () => {
    assert.deepEqual(parseClientFrame('{"action":"subscribe","payload":{"symbols":["aapl"," GOOG","AAPL"]}}', 5), {
      event: 'subscribe',
      data: { symbols: ['AAPL', 'GOOG'], since: new Map(), throttleMs: 0 },
    });
    assert.deepEqual(parseClientFrame(Buffer.from('{"action":"unsubscribe","payload":{"symbols":["MSFT"]}}'), 5), {
      event: 'unsubscribe',
      data: { symbols: ['MSFT'] },
    });
    assert.equal(code('{"action":"ping"}'), 'ping');
  });

  it('turns every malformed frame into a typed error instead of throwing or dropping it', () => {
    assert.equal(code('{nope'), 'INVALID_JSON');
    assert.equal(code(''), 'INVALID_JSON');
    assert.equal(code('null'), 'INVALID_MESSAGE');
    assert.equal(code('"subscribe"'), 'INVALID_MESSAGE');
    assert.equal(code('[]'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":5}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"sell"}'), 'UNKNOWN_ACTION');
    assert.equal(code('{"action":"toString"}'), 'UNKNOWN_ACTION');
    assert.equal(code('{"action":"subscribe"}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribe","payload":null}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribe","payload":{"symbols":"AAPL"}}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribe","payload":{"symbols":[]}}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribe","payload":{"symbols":[null]}}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribe","payload":{"symbols":["A","B","C","D","E","F"]}}'), 'TOO_MANY_SYMBOLS');
  });

  it('reads since, throttleMs and bar intervals, upper-casing the symbols of since', () => {
    assert.deepEqual(parseClientFrame('{"action":"subscribe","payload":{"symbols":["aapl","GOOG"],"since":{"aapl":42},"throttleMs":250}}', 5), {
      event: 'subscribe',
      data: { symbols: ['AAPL', 'GOOG'], since: new Map([['AAPL', 42]]), throttleMs: 250 },
    });
    assert.deepEqual(parseClientFrame('{"action":"subscribeBars","payload":{"symbols":["aapl"],"interval":"1m"}}', 5), {
      event: 'subscribeBars',
      data: { symbols: ['AAPL'], interval: '1m' },
    });
    assert.equal(code('{"action":"unsubscribeBars","payload":{"symbols":["AAPL"],"interval":"1s"}}'), 'unsubscribeBars');
  });

  it('refuses a bad since, throttle or interval with INVALID_MESSAGE', () => {
    const subscribe = (extra: string) => code(`{"action":"subscribe","payload":{"symbols":["AAPL"],${extra}}}`);
    assert.equal(subscribe('"since":5'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"since":[1]'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"since":{"GOOG":1}'), 'INVALID_MESSAGE', 'a symbol not subscribed');
    assert.equal(subscribe('"since":{"AAPL":-1}'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"since":{"AAPL":1.5}'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"since":{"AAPL":"42"}'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"since":{"AAPL":1e300}'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"throttleMs":50'), 'INVALID_MESSAGE');
    assert.equal(subscribe('"throttleMs":"100"'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribeBars","payload":{"symbols":["AAPL"]}}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribeBars","payload":{"symbols":["AAPL"],"interval":"5m"}}'), 'INVALID_MESSAGE');
    assert.equal(code('{"action":"subscribeBars","payload":{"symbols":["AAPL"],"interval":"constructor"}}'), 'INVALID_MESSAGE');
  });
});
