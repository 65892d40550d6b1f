import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientSession } from '../connections/client-session.js';
import { fakeSocket } from '../../../../test/support/fake-socket.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { SubscriptionIndex } from './subscription-index.js';

const newSession = () => new ClientSession(fakeSocket().ws, '127.0.0.1', { slowBytes: 1e6, maxBytes: 2e6, maxQueuedRequests: 8 }, new GatewayStats());

describe('SubscriptionIndex', () => {
  it('reports the first subscriber and the last leaving of a symbol, for channel reference counting', () => {
    const index = new SubscriptionIndex();
    const a = newSession();
    const b = newSession();
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
