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
      data: { symbols: ['AAPL', 'GOOG'] },
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
});
