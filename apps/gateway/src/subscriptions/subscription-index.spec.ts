import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ClientSession } from './client-session.js';
import { SubscriptionIndex } from './subscription-index.js';

/** A stand-in socket that records what it was sent; the real socket path is covered end to end. */
function fakeSession() {
  const sent: string[] = [];
  const socket = { readyState: WebSocket.OPEN, send: (data: Buffer | string) => sent.push(data.toString()) };
  return { session: new ClientSession(socket as unknown as WebSocket), sent };
}

describe('SubscriptionIndex', () => {
  it('reports the first subscriber and the last leaving of a symbol, for channel reference counting', () => {
    const index = new SubscriptionIndex();
    const a = fakeSession().session;
    const b = fakeSession().session;
    assert.equal(index.add('AAPL', a), true);
    assert.equal(index.add('AAPL', b), false);
    assert.equal(index.add('AAPL', b), false);
    assert.equal(index.subscribers('AAPL')?.size, 2);
    assert.equal(index.remove('AAPL', a), false);
    assert.equal(index.remove('AAPL', a), false, 'removing twice does not count twice');
    assert.equal(index.remove('AAPL', b), true);
    assert.equal(index.subscribers('AAPL'), undefined);
    assert.equal(index.symbolCount, 0);
    assert.equal(b.symbols.size, 0);
  });
});

describe('ClientSession', () => {
  it('holds updates during a snapshot and releases only those newer than it, in order', () => {
    const { session, sent } = fakeSession();
    session.hold();
    session.deliver('AAPL', 5, Buffer.from('aapl-5'));
    session.deliver('GOOG', 9, Buffer.from('goog-9'));
    session.deliver('AAPL', 6, Buffer.from('aapl-6'));
    assert.deepEqual(sent, []);
    session.release(new Map([['AAPL', 5]]));
    assert.deepEqual(sent, ['goog-9', 'aapl-6']);
    session.deliver('AAPL', 7, Buffer.from('aapl-7'));
    assert.deepEqual(sent.at(-1), 'aapl-7');
  });

  it('runs queued requests one after another', async () => {
    const { session } = fakeSession();
    const order: string[] = [];
    const slow = session.enqueue(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
    });
    const fast = session.enqueue(async () => {
      order.push('second');
    });
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ['first', 'second']);
  });
});
