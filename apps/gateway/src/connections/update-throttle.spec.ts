import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpdateThrottle } from './update-throttle.js';

function throttle() {
  const emitted: string[] = [];
  let conflated = 0;
  const t = new UpdateThrottle((key, frame) => emitted.push(`${key}:${frame}`), () => conflated++);
  return { t, emitted, conflated: () => conflated };
}

const frame = (text: string) => Buffer.from(text);

describe('UpdateThrottle', () => {
  it('lets everything through for streams that are not throttled', () => {
    const { t } = throttle();
    assert.equal(t.admit('AAPL', frame('1')), true);
    assert.equal(t.admit('AAPL', frame('2')), true);
  });

  it('sends at most one update per interval, and the latest one when the interval ends', async () => {
    const { t, emitted, conflated } = throttle();
    t.set('AAPL', 30);
    assert.equal(t.admit('AAPL', frame('1')), true);
    assert.equal(t.admit('AAPL', frame('2')), false);
    assert.equal(t.admit('AAPL', frame('3')), false);
    assert.equal(t.admit('GOOG', frame('g')), true, 'other streams are not held back');
    assert.deepEqual(emitted, []);
    await new Promise((r) => setTimeout(r, 45));
    assert.deepEqual(emitted, ['AAPL:3']);
    assert.equal(conflated(), 1);
    assert.equal(t.admit('AAPL', frame('4')), false, 'the interval restarts at the flush');
  });

  it('drops a waiting update when the stream is forgotten, and sends it at once when the throttle is lifted', async () => {
    const { t, emitted } = throttle();
    t.set('AAPL', 20);
    t.set('GOOG', 20);
    t.admit('AAPL', frame('1'));
    t.admit('AAPL', frame('2'));
    t.admit('GOOG', frame('1'));
    t.admit('GOOG', frame('2'));
    t.forget('AAPL');
    t.set('GOOG', 0);
    assert.deepEqual(emitted, ['GOOG:2']);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(emitted, ['GOOG:2']);
    assert.equal(t.size, 0);
  });
});
