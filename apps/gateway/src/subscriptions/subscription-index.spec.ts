import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ClientSession } from '../connections/client-session.js';
import { fakeSocket } from '../../../../test/support/fake-socket.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { textFrame } from '../connections/text-frame.js';
import { SubscriptionIndex } from './subscription-index.js';

const stats = new GatewayStats();
function newSession() {
  const fake = fakeSocket();
  return { ...fake, session: new ClientSession(fake.ws, '127.0.0.1', { slowBytes: 1e6, maxBytes: 2e6, maxQueuedRequests: 8 }, stats) };
}
const f = (text: string) => textFrame(text);

describe('SubscriptionIndex', () => {
  it('reports the first subscriber and the last leaving of a symbol, for channel reference counting', () => {
    const index = new SubscriptionIndex();
    const a = newSession().session;
    const b = newSession().session;
    assert.equal(index.add('AAPL', a), true);
    assert.equal(index.add('AAPL', b, b.symbols, 1000), false);
    assert.equal(index.add('AAPL', b), false);
    assert.equal(index.subscriberCount('AAPL'), 2);
    assert.equal(index.remove('AAPL', a), false);
    assert.equal(index.remove('AAPL', a), false, 'removing twice does not count twice');
    assert.equal(index.remove('AAPL', b), true, 'a throttled subscriber counts like any other');
    assert.equal(index.subscriberCount('AAPL'), 0);
    assert.equal(index.symbolCount, 0);
    assert.equal(b.symbols.size, 0);
  });
});

describe('SubscriptionIndex throttling', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 10_000 }));
  afterEach(() => mock.timers.reset());

  /** Moves the clock to `ms` and lets the outboxes write. */
  const at = async (ms: number) => {
    mock.timers.tick(ms - Date.now());
    await turn();
  };

  it('forgets what waited for a client that unsubscribed, and sends nothing to it at the beat', async () => {
    const index = new SubscriptionIndex();
    const { session, sent } = newSession();
    index.add('AAPL', session, session.symbols, 1000);
    index.deliver('AAPL', 1, f('aapl-1'));
    index.remove('AAPL', session);
    await at(11_000);
    assert.deepEqual(sent, []);
  });

  it('sends nothing to a client that closed before the beat', async () => {
    const index = new SubscriptionIndex();
    const { session, sent } = newSession();
    index.add('AAPL', session, session.symbols, 1000);
    index.deliver('AAPL', 1, f('aapl-1'));
    session.close();
    await at(11_000);
    assert.deepEqual(sent, []);
  });

  it('hands the waiting update over at once when the throttle is lifted, and never sends it twice', async () => {
    const index = new SubscriptionIndex();
    const { session, sent } = newSession();
    index.add('AAPL', session, session.symbols, 1000);
    index.deliver('AAPL', 1, f('aapl-1'));
    index.deliver('AAPL', 2, f('aapl-2'));
    index.setThrottle('AAPL', session, 0);
    await turn();
    assert.deepEqual(sent, ['aapl-2'], 'the newest waiting update goes out now');
    index.deliver('AAPL', 3, f('aapl-3'));
    await at(11_000);
    assert.deepEqual(sent, ['aapl-2', 'aapl-3'], 'then every update, unthrottled');
  });

  it('does not send a client joining a throttle an update it already had', async () => {
    const index = new SubscriptionIndex();
    const { session, sent } = newSession();
    const other = newSession();
    index.add('AAPL', other.session, other.session.symbols, 1000);
    index.add('AAPL', session);
    index.deliver('AAPL', 1, f('aapl-1'));
    await turn();
    index.setThrottle('AAPL', session, 1000);
    await at(11_000);
    assert.deepEqual(sent, ['aapl-1'], 'aapl-1 was sent unthrottled; the beat does not repeat it');
    assert.deepEqual(other.sent, ['aapl-1']);
    index.deliver('AAPL', 2, f('aapl-2'));
    await at(12_000);
    assert.deepEqual(sent, ['aapl-1', 'aapl-2']);
  });

  it('keeps a throttled update back while the stream is gated for its snapshot, and drops it if the snapshot covered it', async () => {
    const index = new SubscriptionIndex();
    const { session, sent } = newSession();
    const gate = session.gate('AAPL');
    index.add('AAPL', session, session.symbols, 1000);
    index.deliver('AAPL', 7, f('aapl-7'));
    await at(11_000);
    assert.deepEqual(sent, [], 'held by the gate');
    session.openGate('AAPL', gate, 7);
    index.deliver('AAPL', 8, f('aapl-8'));
    await at(12_000);
    assert.deepEqual(sent, ['aapl-8'], 'seq 7 came with the snapshot');
  });

  it('sends a throttled client at most one update per stream per interval, the newest, on the wall clock', async () => {
    const index = new SubscriptionIndex();
    const { session, sent } = newSession();
    const fast = newSession();
    index.add('AAPL', session, session.symbols, 500);
    index.add('AAPL', fast.session, fast.session.symbols, 1000);
    for (let seq = 1; seq <= 4; seq++) index.deliver('AAPL', seq, f(`aapl-${seq}`));
    await at(10_499);
    assert.deepEqual(sent, []);
    await at(10_500);
    assert.deepEqual(sent, ['aapl-4']);
    index.deliver('AAPL', 5, f('aapl-5'));
    await at(11_000);
    assert.deepEqual(sent, ['aapl-4', 'aapl-5']);
    assert.deepEqual(fast.sent, ['aapl-5'], 'the 1000 ms group beats on its own multiples');
    await at(12_000);
    assert.deepEqual(sent, ['aapl-4', 'aapl-5'], 'nothing new, nothing sent');
  });

  it("writes a client's throttled streams of one interval together: one write per beat", async () => {
    const index = new SubscriptionIndex();
    const { session, sent, raw } = newSession();
    for (const symbol of ['AAPL', 'GOOG', 'MSFT']) index.add(symbol, session, session.symbols, 1000);
    index.deliver('AAPL', 1, f('aapl-1'));
    await at(10_300);
    index.deliver('GOOG', 1, f('goog-1'));
    await at(10_700);
    index.deliver('MSFT', 1, f('msft-1'));
    await at(11_000);
    assert.deepEqual(sent, ['aapl-1', 'goog-1', 'msft-1']);
    assert.equal(raw.uncorks, 1, 'one corked write for the three frames');
  });

  it('counts the updates a throttle replaced, per client, as conflated', () => {
    const index = new SubscriptionIndex(undefined, stats);
    const before = stats.updatesConflated;
    const a = newSession().session;
    const b = newSession().session;
    index.add('AAPL', a, a.symbols, 1000);
    index.add('AAPL', b, b.symbols, 1000);
    for (let seq = 1; seq <= 3; seq++) index.deliver('AAPL', seq, f(`aapl-${seq}`));
    assert.equal(stats.updatesConflated - before, 4, 'two replaced updates, two clients each');
  });
});
