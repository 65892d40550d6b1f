import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { WebSocket } from 'ws';
import { ClientSession } from './client-session.js';
import { READ_GRACE_MS } from './read-receipts.js';
import { fakeSocket } from '../../../../test/support/fake-socket.js';
import { GatewayStats } from './gateway-stats.js';

const limits = { slowBufferBytes: 1000, maxBufferBytes: 5000, maxLagMs: 50, maxQueuedRequests: 8 };

function session() {
  const fake = fakeSocket();
  const stats = new GatewayStats();
  return { ...fake, stats, session: new ClientSession(fake.ws, '127.0.0.1', limits, stats) };
}

describe('ClientSession', () => {
  it('holds updates during a snapshot and releases only those newer than it, in order', () => {
    const { session: s, sent } = session();
    s.hold();
    s.deliver('AAPL', 5, Buffer.from('aapl-5'));
    s.deliver('GOOG', 9, Buffer.from('goog-9'));
    s.deliver('AAPL', 6, Buffer.from('aapl-6'));
    assert.deepEqual(sent, []);
    s.release(new Map([['AAPL', 5]]));
    assert.deepEqual(sent, ['goog-9', 'aapl-6']);
    s.deliver('AAPL', 7, Buffer.from('aapl-7'));
    assert.equal(sent.at(-1), 'aapl-7');
  });

  it('does not send again an update the snapshot or replay covered that arrives after the release (it came on the other connection)', () => {
    const { session: s, sent } = session();
    s.hold();
    s.deliver('GOOG', 3, Buffer.from('goog-3'));
    s.release(new Map([['AAPL', 5], ['GOOG', 2]]));
    s.deliver('AAPL', 4, Buffer.from('aapl-4'));
    s.deliver('AAPL', 5, Buffer.from('aapl-5'));
    s.deliver('AAPL', 6, Buffer.from('aapl-6'));
    s.deliver('AAPL', 7, Buffer.from('aapl-7'));
    assert.deepEqual(sent, ['goog-3', 'aapl-6', 'aapl-7']);
  });

  it('lets through, after the current bar it sent, that same bar closed (same seq), but not an older one', () => {
    const { session: s, sent } = session();
    s.hold();
    s.release(new Map([['1m:AAPL', 5]]));
    s.deliver('1m:AAPL', 4, Buffer.from('bar-4'));
    s.deliver('1m:AAPL', 5, Buffer.from('bar-5 closed'));
    s.deliver('1m:AAPL', 6, Buffer.from('bar-6'));
    assert.deepEqual(sent, ['bar-5 closed', 'bar-6']);
  });

  it('conflates updates to the latest per symbol while the client lags, and sends them once it catches up', () => {
    const { session: s, sent, socket, stats } = session();
    socket.bufferedAmount = 3000;
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    s.deliver('AAPL', 2, Buffer.from('aapl-2'));
    s.deliver('GOOG', 1, Buffer.from('goog-1'));
    assert.deepEqual(sent, []);
    assert.equal(stats.updatesConflated, 1);
    s.catchUp();
    assert.deepEqual(sent, [], 'still lagging: nothing sent');
    socket.bufferedAmount = 0;
    s.catchUp();
    assert.deepEqual(sent, ['aapl-2', 'goog-1']);
    assert.equal(s.isLagging, false);
  });

  it('does not conflate a burst Node holds past the slow allowance for a moment, only past half the hard limit', () => {
    // A burst the client reads as it comes can fill the kernel's buffers and leave some in Node
    // (faults e2e on a busy machine: 0.5 MB, the client's receipts back within 250 ms).
    const { session: s, sent, socket } = session();
    socket.bufferedAmount = 2000;
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    s.deliver('AAPL', 2, Buffer.from('aapl-2'));
    assert.deepEqual(sent, ['aapl-1', 'aapl-2'], 'twice the slow allowance unsent, its receipt just out: written');
    assert.equal(s.isLagging, false);
    socket.bufferedAmount = 2600;
    s.deliver('AAPL', 3, Buffer.from('aapl-3'));
    assert.deepEqual(sent, ['aapl-1', 'aapl-2'], 'past half of the 5,000 that close the client: conflated');
    assert.equal(s.isLagging, true);
  });

  it('conflates once the client has left its read receipt unanswered past the grace, though nothing waits in Node, and sends the latest once its pong says it read', () => {
    // The kernel takes megabytes per socket before bufferedAmount counts a byte: a client reading
    // slowly would otherwise be sent everything and end on a quote seconds old. A burst is not that:
    // it is over the allowance for as long as the client's pong takes.
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      const { session: s, sent, pings, stats } = session();
      const frame = (seq: number) => Buffer.from(`aapl-${seq}`.padEnd(100, '.'));
      for (let seq = 1; seq <= 11; seq++) s.deliver('AAPL', seq, frame(seq));
      assert.equal(sent.length, 11, '1,100 bytes unread, past the 1,000 allowed, but just written: a burst');
      assert.equal(s.isLagging, false);
      assert.equal(pings.length, 1, 'one read receipt out, sent once 250 bytes were unread');
      mock.timers.tick(READ_GRACE_MS + 1);
      for (let seq = 12; seq <= 20; seq++) s.deliver('AAPL', seq, frame(seq));
      assert.equal(sent.length, 11, 'still unread past the grace: the rest waits');
      assert.equal(s.isLagging, true);
      assert.equal(stats.updatesConflated, 8);
      s.catchUp();
      assert.equal(sent.length, 11, 'no pong yet: still lagging');
      s.pong(pings[0]);
      assert.equal(sent.length, 12);
      assert.ok(sent[11].startsWith('aapl-20.'), 'the latest, once the client has read up to the ping');
      assert.equal(s.isLagging, false);
    } finally {
      mock.timers.reset();
    }
  });

  it('closes a client with 1013 when it stays lagging past the allowed time', async () => {
    const { session: s, socket, closes, stats } = session();
    socket.bufferedAmount = 3000;
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    s.catchUp();
    assert.deepEqual(closes, []);
    await new Promise((r) => setTimeout(r, 60));
    s.catchUp();
    assert.deepEqual(closes, [1013]);
    assert.equal(stats.slowClientsClosed, 1);
  });

  it('closes a client with 1013 once its unsent bytes pass the hard limit', () => {
    const { session: s, socket, closes, stats } = session();
    socket.bufferedAmount = 6000;
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    assert.deepEqual(closes, [1013]);
    assert.equal(stats.slowClientsClosed, 1);
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

  it('once closed, drops waiting requests, refuses new ones, holds nothing and sends nothing', async () => {
    const { session: s, sent } = session();
    let ran = 0;
    let release!: () => void;
    s.enqueue(() => new Promise<void>((r) => (release = r)));
    s.enqueue(async () => void ran++);
    await Promise.resolve();
    s.hold();
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    s.close();
    s.close();
    assert.equal(s.isActive, false);
    assert.equal(s.enqueue(async () => void ran++), false);
    release();
    await s.settled();
    s.release(new Map());
    s.hold();
    s.deliver('AAPL', 2, Buffer.from('aapl-2'));
    s.send({ type: 'pong' });
    assert.equal(ran, 0);
    assert.deepEqual(sent, []);
  });

  it('keeps only the latest update per symbol once too many are held, and counts the rest as conflated', () => {
    const { session: s, sent, stats } = session();
    s.hold();
    for (let seq = 1; seq <= 1001; seq++) s.deliver(seq % 2 ? 'AAPL' : 'GOOG', seq, Buffer.from(`${seq}`));
    s.release(new Map());
    assert.deepEqual(sent, ['1000', '1001']);
    assert.equal(stats.updatesConflated, 999);
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
    s.setThrottle('AAPL', 500);
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
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

  it('creates the throttle on the first throttled stream and drops it with the last, sending what waited', async () => {
    const { session: s, sent } = session();
    s.setThrottle('AAPL', 0);
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    s.setThrottle('AAPL', 1000);
    s.setThrottle('GOOG', 1000);
    s.deliver('AAPL', 2, Buffer.from('aapl-2'));
    s.deliver('AAPL', 3, Buffer.from('aapl-3'));
    s.deliver('GOOG', 1, Buffer.from('goog-1'));
    s.deliver('GOOG', 2, Buffer.from('goog-2'));
    assert.deepEqual(sent, ['aapl-1', 'aapl-2', 'goog-1']);
    s.forgetThrottle('GOOG');
    s.setThrottle('AAPL', 0);
    assert.deepEqual(sent, ['aapl-1', 'aapl-2', 'goog-1', 'aapl-3'], 'the waiting AAPL update goes out; the forgotten GOOG one does not');
    s.deliver('AAPL', 4, Buffer.from('aapl-4'));
    s.deliver('AAPL', 5, Buffer.from('aapl-5'));
    assert.deepEqual(sent.slice(-2), ['aapl-4', 'aapl-5'], 'unthrottled again');
  });

  it('forgets a waiting throttled update when closed, and its timer sends nothing later', async () => {
    const { session: s, sent } = session();
    s.setThrottle('AAPL', 20);
    s.deliver('AAPL', 1, Buffer.from('aapl-1'));
    s.deliver('AAPL', 2, Buffer.from('aapl-2'));
    s.close();
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(sent, ['aapl-1']);
  });

  it('has no bar set until the first bar subscription asks for one', () => {
    const { session: s } = session();
    assert.equal(s.bars.size, 0);
    s.barSet().add('1m:AAPL');
    assert.deepEqual([...s.bars], ['1m:AAPL']);
    assert.equal(s.barSet(), s.barSet());
  });
});

describe('ClientSession bursts', () => {
  /** A WebSocket over a fake TCP socket that holds writes while corked, like net.Socket, and counts them as unsent. */
  function corkingSession(slowBufferBytes: number) {
    const written: string[] = [];
    let corks = 0;
    let held: Buffer[] = [];
    const raw = {
      cork: () => void corks++,
      uncork: () => {
        if (--corks === 0) written.push(...held.splice(0).map((b) => b.toString('latin1')));
      },
      write: (b: Buffer) => void (corks > 0 ? held.push(b) : written.push(b.toString('latin1'))),
    };
    const ws = {
      readyState: WebSocket.OPEN,
      _socket: raw,
      ping: () => undefined,
      get bufferedAmount() {
        return held.reduce((n, b) => n + b.length, 0);
      },
    } as unknown as WebSocket;
    const stats = new GatewayStats();
    const s = new ClientSession(ws, '127.0.0.1', { slowBufferBytes, maxBufferBytes: slowBufferBytes * 10, maxLagMs: 50, maxQueuedRequests: 8 }, stats);
    return { session: s, written, stats };
  }

  it('writes a burst of updates as whole frames on the next tick, not counting them as the client lagging', async () => {
    const { session: s, written, stats } = corkingSession(100);
    for (let seq = 1; seq <= 20; seq++) s.deliver('AAPL', seq, Buffer.from(`{"seq":${seq}}`));
    assert.deepEqual(written, [], 'held until the burst ends');
    await new Promise((r) => process.nextTick(r));
    assert.equal(written.length, 20);
    assert.equal(written[0], `\x81\x09{"seq":1}`, 'a complete unmasked text frame');
    assert.equal(stats.updatesConflated, 0);
    assert.equal(s.isLagging, false);
  });
});
