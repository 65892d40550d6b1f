import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { RedisConfig } from '#app/config';
import type { FeedEvent } from './feed-outbox.js';
import type { ReaderCommand, ReaderMessage } from './feed-reader.protocol.js';
import { WorkerFeedSubscriber, type ReaderThread } from './worker-feed-subscriber.js';

/** A reader thread the spec drives: it records commands and says what the spec makes it say. */
class FakeThread extends EventEmitter implements ReaderThread {
  readonly commands: ReaderCommand[] = [];
  terminated = false;
  postMessage(command: ReaderCommand) {
    this.commands.push(command);
  }
  async terminate() {
    this.terminated = true;
    return 0;
  }
  say(message: ReaderMessage) {
    this.emit('message', message);
  }
  batch(events: FeedEvent[], conflated = 0) {
    this.say({ batch: { events, conflated } });
  }
  exit(code = 1) {
    this.emit('exit', code);
  }
  /** The id of the last subscribe or unsubscribe asked. */
  get lastId(): number {
    const asks = this.commands.filter((c) => 'id' in c);
    return (asks.at(-1) as { id: number }).id;
  }
}

function subscriberWith({ restartDelayMs = 5, closeTimeoutMs = 20 } = {}) {
  const threads: FakeThread[] = [];
  const heard: string[] = [];
  const subscriber = new WorkerFeedSubscriber({ url: 'redis://127.0.0.1:6379', clusterNodes: null, keyPrefix: 'w:', quoteTtlMs: 1000 } as RedisConfig, {
    outbox: { maxWaiting: 10 },
    restartDelayMs,
    closeTimeoutMs,
    spawn: () => {
      const thread = new FakeThread();
      threads.push(thread);
      return thread;
    },
  });
  subscriber.listen({
    message: (channel, payload) => heard.push(`${channel}=${payload}`),
    lost: (affected) => heard.push(`lost:${['q:AAPL', 'q:GOOG'].filter(affected).join(',')}`),
    resubscribe: () => heard.push('resubscribe'),
  });
  return { subscriber, threads, heard, thread: () => threads.at(-1)! };
}

const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => 'resolved', (err: Error) => `rejected: ${err.message}`), new Promise((r) => setImmediate(() => r('pending')))]);

describe('WorkerFeedSubscriber', () => {
  it('hands each batch to the listener in order and says it was taken', () => {
    const { thread, heard } = subscriberWith();
    thread().batch(['q:AAPL', '1', { lost: null }, { resubscribe: true }, 'q:GOOG', '2']);
    assert.deepEqual(heard, ['q:AAPL=1', 'lost:q:AAPL,q:GOOG', 'resubscribe', 'q:GOOG=2']);
    assert.deepEqual(thread().commands, [{ op: 'taken' }]);
  });

  it('a lost shard affects only the channels the thread names', () => {
    const { thread, heard } = subscriberWith();
    thread().batch([{ lost: ['q:GOOG'] }]);
    assert.deepEqual(heard, ['lost:q:GOOG']);
  });

  it('settles a SUBSCRIBE by its reply, and fails it with the error the thread gives', async () => {
    const { subscriber, thread } = subscriberWith();
    const ok = subscriber.subscribe('q:AAPL');
    const okId = thread().lastId;
    const refused = subscriber.subscribe('q:GOOG');
    thread().batch([{ reply: thread().lastId, error: 'Connection is closed.' }, { reply: okId }]);
    assert.equal(await settled(ok), 'resolved');
    assert.equal(await settled(refused), 'rejected: Connection is closed.');
  });

  it('counts what the thread conflated, and keeps its status for readiness', () => {
    const { subscriber, thread } = subscriberWith();
    assert.equal(subscriber.status, 'wait');
    thread().say({ status: 'ready' });
    thread().batch(['q:AAPL', '9'], 41);
    thread().batch([], 1);
    assert.equal(subscriber.conflated, 42);
    assert.equal(subscriber.status, 'ready');
  });

  it('says the batch was taken even when the listener throws, so the thread is not left waiting', () => {
    const { subscriber, thread } = subscriberWith();
    subscriber.listen({ message: () => { throw new Error('bug'); }, lost: () => {}, resubscribe: () => {} });
    assert.throws(() => thread().batch(['q:AAPL', '1']));
    assert.deepEqual(thread().commands, [{ op: 'taken' }]);
  });

  it('when the thread dies with a SUBSCRIBE in flight: fails it, loses every channel, refuses commands, then starts another thread', async () => {
    const { subscriber, threads, thread, heard } = subscriberWith();
    const inFlight = subscriber.subscribe('q:AAPL');
    thread().exit(1);
    assert.match(String(await settled(inFlight)), /rejected: the feed reader thread exited/);
    assert.deepEqual(heard, ['lost:q:AAPL,q:GOOG']);
    assert.equal(subscriber.status, 'end');
    assert.match(String(await settled(subscriber.subscribe('q:GOOG'))), /rejected: feed reader thread restarting/);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(threads.length, 2);
    // A late message from the dead thread is ignored; the new one is heard.
    threads[0].batch(['q:AAPL', 'stale']);
    thread().batch([{ resubscribe: true }]);
    assert.deepEqual(heard, ['lost:q:AAPL,q:GOOG', 'resubscribe']);
    const again = subscriber.subscribe('q:AAPL');
    thread().batch([{ reply: thread().lastId }]);
    assert.equal(await settled(again), 'resolved');
  });

  it('closing while the thread is dead starts no other one', async () => {
    const { subscriber, threads, thread } = subscriberWith();
    thread().exit(1);
    await subscriber.close();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(threads.length, 1);
  });

  it('close fails the commands in flight, asks the thread to quit and ends it once it has', async () => {
    const { subscriber, thread } = subscriberWith({ closeTimeoutMs: 10_000 });
    const inFlight = subscriber.subscribe('q:AAPL');
    const closing = subscriber.close();
    assert.match(String(await settled(inFlight)), /rejected: the feed is closing/);
    assert.deepEqual(thread().commands.at(-1), { op: 'close' });
    assert.equal(await settled(closing), 'pending');
    thread().say({ closed: true });
    await closing;
    assert.equal(thread().terminated, true);
    assert.equal(subscriber.close(), closing, 'a second close waits for the same');
    assert.match(String(await settled(subscriber.subscribe('q:AAPL'))), /rejected: feed reader thread closed/);
  });

  it('close ends a thread that does not answer after closeTimeoutMs, and a batch after it is not acknowledged', async () => {
    const { subscriber, thread } = subscriberWith({ closeTimeoutMs: 10 });
    await subscriber.close();
    assert.equal(thread().terminated, true);
    thread().batch(['q:AAPL', '1']);
    assert.deepEqual(thread().commands, [{ op: 'close' }]);
  });
});
