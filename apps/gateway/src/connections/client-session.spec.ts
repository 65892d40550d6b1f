import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { fakeSocket, framePayload } from '../../../../test/support/fake-socket.js';
import { ClientSession } from './client-session.js';
import { GatewayStats } from './gateway-stats.js';
import { textFrame } from './text-frame.js';

const limits = { slowBytes: 1000, maxBytes: 5000, maxQueuedRequests: 8 };

/** An update frame as the feed builds it: a whole WebSocket text frame. */
const f = (text: string) => textFrame(text);

function session() {
  const fake = fakeSocket();
  const stats = new GatewayStats();
  return { ...fake, stats, session: new ClientSession(fake.ws, '127.0.0.1', limits, stats) };
}

describe('ClientSession streams', () => {
  it('keeps a gated stream back while its snapshot is read and lets the other streams flow (bug 3)', async () => {
    const { session: s, sent } = session();
    const gate = s.gate('AAPL');
    s.deliver('AAPL', 5, f('aapl-5'));
    s.deliver('GOOG', 9, f('goog-9'));
    s.deliver('AAPL', 6, f('aapl-6'));
    await turn();
    assert.deepEqual(sent, ['goog-9']);
    s.send({ type: 'snapshot', payload: { quotes: [] } });
    s.openGate('AAPL', gate, 5);
    s.deliver('AAPL', 7, f('aapl-7'));
    await turn();
    assert.deepEqual(sent, ['goog-9', '{"type":"snapshot","payload":{"quotes":[]}}', 'aapl-6', 'aapl-7']);
  });

  it('does not send again an update the snapshot covered that arrives after the gate opened', async () => {
    const { session: s, sent } = session();
    const gate = s.gate('AAPL');
    s.openGate('AAPL', gate, 5);
    for (const seq of [4, 5, 6, 7]) s.deliver('AAPL', seq, f(`aapl-${seq}`));
    await turn();
    assert.deepEqual(sent, ['aapl-6', 'aapl-7']);
  });

  it('ignores a gate opened after the client unsubscribed, or after a later subscribe replaced it', async () => {
    const { session: s, sent } = session();
    const first = s.gate('AAPL');
    s.deliver('AAPL', 1, f('aapl-1'));
    s.dropGate('AAPL');
    assert.equal(s.isGated('AAPL', first), false);
    const second = s.gate('AAPL');
    s.deliver('AAPL', 2, f('aapl-2'));
    s.openGate('AAPL', first, 0);
    await turn();
    assert.deepEqual(sent, [], 'the old request opens nothing');
    assert.equal(s.isGated('AAPL', second), true);
    s.openGate('AAPL', second, 1);
    await turn();
    assert.deepEqual(sent, ['aapl-2']);
  });

  it("keeps a bar's closing frame for a client that is behind, where later frames of the bar stream replace each other", async () => {
    const { session: s, sent, socket, drain } = session();
    socket.bufferedAmount = 2000;
    s.deliver('1m:AAPL', 59, f('bar-59'));
    s.deliver('1m:AAPL', 60, f('bar-60'));
    s.deliver('1m:AAPL', 60, f('bar-60 closed'), true);
    s.deliver('1m:AAPL', 61, f('bar-61'));
    s.deliver('1m:AAPL', 62, f('bar-62'));
    await turn();
    assert.deepEqual(sent, []);
    socket.bufferedAmount = 0;
    drain();
    await turn();
    assert.deepEqual(sent, ['bar-60', 'bar-60 closed', 'bar-62']);
  });

  it('closes with a code only after writing what was queued before it (ws writes the close frame at once)', async () => {
    const { session: s, sent, closes } = session();
    s.send({ type: 'pong' });
    s.closeWith(1008, 'rate limit exceeded repeatedly');
    await turn();
    assert.deepEqual(sent, ['{"type":"pong"}']);
    assert.deepEqual(closes, [1008]);
  });

  it('closes a client with 1013 once Node holds more than the hard limit for it', async () => {
    const { session: s, socket, closes, stats } = session();
    socket.bufferedAmount = 6000;
    s.deliver('AAPL', 1, f('aapl-1'));
    await turn();
    assert.deepEqual(closes, [1013]);
    assert.equal(stats.slowClientsClosed, 1);
  });

  it('writes a burst of updates as whole frames in one corked write on the next turn', async () => {
    const { session: s, sent, raw, stats } = session();
    for (let seq = 1; seq <= 20; seq++) s.deliver('AAPL', seq, f(`{"seq":${seq}}`));
    assert.deepEqual(sent, [], 'held until the turn ends');
    await turn();
    assert.equal(sent.length, 20);
    assert.equal(raw.corked, 0);
    assert.equal(framePayload(f('{"seq":1}')), '{"seq":1}');
    assert.equal(stats.updatesConflated, 0);
    assert.equal(s.isBehind, false);
  });

  it('runs queued requests one after another', async () => {
    const { session: s } = session();
    const order: string[] = [];
    s.enqueue(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
    });
    s.enqueue(async () => void order.push('second'));
    await s.settled();
    assert.deepEqual(order, ['first', 'second']);
  });

  it('answers a request that throws with INTERNAL_ERROR through its owner and runs the next one', async () => {
    const fake = fakeSocket();
    const failures: unknown[] = [];
    const s = new ClientSession(fake.ws, '127.0.0.1', limits, new GatewayStats(), (_, err) => failures.push(err));
    const order: string[] = [];
    s.enqueue(async () => {
      throw new Error('redis said no');
    });
    s.enqueue(async () => void order.push('next'));
    await s.settled();
    assert.equal((failures[0] as Error).message, 'redis said no');
    assert.deepEqual(order, ['next']);
  });

  it('once closed, drops waiting requests, refuses new ones, gates nothing and sends nothing', async () => {
    const { session: s, sent } = session();
    let ran = 0;
    let release!: () => void;
    s.enqueue(() => new Promise<void>((r) => (release = r)));
    s.enqueue(async () => void ran++);
    await Promise.resolve();
    const gate = s.gate('AAPL');
    s.deliver('AAPL', 1, f('aapl-1'));
    s.send({ type: 'pong' });
    s.close();
    s.close();
    assert.equal(s.isActive, false);
    assert.equal(s.enqueue(async () => void ran++), false);
    release();
    await s.settled();
    s.openGate('AAPL', gate, 0);
    s.deliver('AAPL', 2, f('aapl-2'));
    s.send({ type: 'pong' });
    await turn();
    assert.equal(ran, 0);
    assert.deepEqual(sent, []);
  });
});

describe('ClientSession, what exists only while needed', () => {
  it('closes cleanly a session that never asked for anything', async () => {
    const { session: s, sent } = session();
    assert.equal(s.isBusy, false);
    assert.equal(s.bars.size, 0);
    s.close();
    s.close();
    await s.settled();
    assert.equal(s.enqueue(async () => undefined), false);
    assert.equal(s.isBusy, false);
    s.deliver('AAPL', 1, f('aapl-1'));
    await turn();
    assert.deepEqual(sent, []);
  });

  it('lets go of the request queue once it runs dry and makes a new one for the next request', async () => {
    const { session: s } = session();
    const order: string[] = [];
    let release!: () => void;
    s.enqueue(() => new Promise<void>((r) => (release = r)));
    s.enqueue(async () => void order.push('second'));
    assert.equal(s.isBusy, true);
    release();
    await s.settled();
    assert.equal(s.isBusy, false);
    assert.equal(s.enqueue(async () => void order.push('third')), true);
    assert.equal(s.isBusy, true);
    await s.settled();
    assert.deepEqual(order, ['second', 'third']);
    assert.equal(s.isBusy, false);
  });

  it('still refuses past the limit while a queue exists, and reports failures of a queue made later', async () => {
    const failures: unknown[] = [];
    const s = new ClientSession(fakeSocket().ws, '127.0.0.1', { ...limits, maxQueuedRequests: 1 }, new GatewayStats(), (_, err) => failures.push(err));
    let release!: () => void;
    assert.equal(s.enqueue(() => new Promise<void>((r) => (release = r))), true);
    await Promise.resolve();
    assert.equal(s.enqueue(async () => undefined), true);
    assert.equal(s.enqueue(async () => undefined), false, 'one waiting behind the running request is the limit');
    release();
    await s.settled();
    s.enqueue(async () => {
      throw new Error('later');
    });
    await s.settled();
    assert.equal((failures[0] as Error).message, 'later');
  });

  it('has no bar set until the first bar subscription asks for one', () => {
    const { session: s } = session();
    assert.equal(s.bars.size, 0);
    s.barSet().add('1m:AAPL');
    assert.deepEqual([...s.bars], ['1m:AAPL']);
    assert.equal(s.barSet(), s.barSet());
  });
});

