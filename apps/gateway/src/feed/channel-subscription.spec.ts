import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ChannelSubscription, type PubSubCommands } from './channel-subscription.js';

/** Redis commands whose replies the spec hands out one by one, in the order it chooses. */
class ScriptedRedis implements PubSubCommands {
  readonly calls: string[] = [];
  private readonly pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  subscribe(channel: string) {
    return this.call(`SUBSCRIBE ${channel}`);
  }

  unsubscribe(channel: string) {
    return this.call(`UNSUBSCRIBE ${channel}`);
  }

  succeed() {
    this.pending.shift()!.resolve();
    return tick();
  }

  fail(message = 'MaxRetriesPerRequestError') {
    this.pending.shift()!.reject(new Error(message));
    return tick();
  }

  get waiting() {
    return this.pending.length;
  }

  private call(command: string) {
    this.calls.push(command);
    return new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

function channel(redis: ScriptedRedis, retryDelayMs = 1) {
  const idle: string[] = [];
  const retries: number[] = [];
  const sub = new ChannelSubscription('quotes:AAPL', redis, {
    retryDelayMs: () => retryDelayMs,
    onRetry: (_c, _e, attempt) => retries.push(attempt),
    onIdle: (name) => idle.push(name),
  });
  return { sub, idle, retries };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  await tick();
  return done;
};

describe('ChannelSubscription', () => {
  it('sends one SUBSCRIBE for two callers racing, and both wait on the same promise until it is confirmed', async () => {
    const redis = new ScriptedRedis();
    const { sub } = channel(redis);
    const first = sub.want();
    const second = sub.want();
    assert.equal(sub.state, 'subscribing');
    assert.equal(await settled(second), false, 'the second caller waits for the pending SUBSCRIBE');
    await redis.succeed();
    assert.equal(await settled(first), true);
    assert.equal(await settled(second), true);
    assert.deepEqual(redis.calls, ['SUBSCRIBE quotes:AAPL']);
    assert.equal(sub.state, 'live');
  });

  it('retries a SUBSCRIBE that fails, for as long as the channel is wanted, and goes live when it succeeds', async () => {
    const redis = new ScriptedRedis();
    const { sub, retries } = channel(redis);
    const live = sub.want();
    await redis.fail();
    await new Promise((r) => setTimeout(r, 5));
    await redis.fail();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await settled(live), false);
    await redis.succeed();
    assert.equal(await settled(live), true);
    assert.deepEqual(retries, [1, 2]);
    assert.equal(redis.calls.length, 3);
  });

  it('stops retrying once released during the back-off, and goes idle', async () => {
    const redis = new ScriptedRedis();
    const { sub, idle } = channel(redis, 60_000);
    void sub.want();
    await redis.fail();
    sub.release();
    await tick();
    assert.equal(sub.state, 'idle');
    assert.deepEqual(idle, ['quotes:AAPL'], 'the back-off was cut short');
    assert.equal(redis.waiting, 0);
  });

  it('unsubscribes a channel released while its SUBSCRIBE was in flight', async () => {
    const redis = new ScriptedRedis();
    const { sub, idle } = channel(redis);
    void sub.want();
    sub.release();
    await redis.succeed();
    assert.equal(sub.state, 'unsubscribing');
    await redis.succeed();
    assert.equal(sub.state, 'idle');
    assert.deepEqual(redis.calls, ['SUBSCRIBE quotes:AAPL', 'UNSUBSCRIBE quotes:AAPL']);
    assert.deepEqual(idle, ['quotes:AAPL']);
  });

  it('subscribes again when wanted during an UNSUBSCRIBE, and makes the new caller wait for it', async () => {
    const redis = new ScriptedRedis();
    const { sub, idle } = channel(redis);
    void sub.want();
    await redis.succeed();
    sub.release();
    const again = sub.want();
    assert.equal(sub.state, 'unsubscribing');
    assert.equal(await settled(again), false, 'not live while the UNSUBSCRIBE is in flight');
    await redis.succeed();
    assert.equal(sub.state, 'subscribing');
    await redis.succeed();
    assert.equal(await settled(again), true);
    assert.equal(sub.state, 'live');
    assert.deepEqual(idle, []);
  });

  it('after the connection is lost, waits for it to come back and subscribes again', async () => {
    const redis = new ScriptedRedis();
    const { sub } = channel(redis);
    void sub.want();
    await redis.succeed();
    sub.connectionLost();
    assert.equal(sub.state, 'idle');
    const live = sub.live;
    assert.equal(await settled(live), false);
    sub.resubscribe();
    await redis.succeed();
    assert.equal(await settled(live), true);
    assert.deepEqual(redis.calls, ['SUBSCRIBE quotes:AAPL', 'SUBSCRIBE quotes:AAPL']);
  });

  it('lets a waiter go when the channel is released while its SUBSCRIBE is in flight and the SUBSCRIBE fails', async () => {
    const redis = new ScriptedRedis();
    const { sub, idle } = channel(redis, 60_000);
    const live = sub.want();
    const waiter = sub.live;
    sub.release();
    await redis.fail();
    assert.equal(sub.state, 'idle');
    assert.deepEqual(idle, ['quotes:AAPL']);
    assert.equal(await settled(live), true, 'the caller of want() is not left waiting');
    assert.equal(await settled(waiter), true, 'nor is one waiting on live');
  });

  it('lets a waiter go when the channel is released during the back-off after a failed SUBSCRIBE', async () => {
    const redis = new ScriptedRedis();
    const { sub } = channel(redis, 60_000);
    const live = sub.want();
    await redis.fail();
    assert.equal(await settled(live), false, 'still wanted: waits for Redis');
    sub.release();
    assert.equal(await settled(live), true);
    assert.equal(sub.state, 'idle');
  });

  it('lets a waiter go when the channel is released after a lost connection', async () => {
    const redis = new ScriptedRedis();
    const { sub } = channel(redis);
    void sub.want();
    await redis.succeed();
    sub.connectionLost();
    const live = sub.live;
    sub.release();
    assert.equal(await settled(live), true);
  });

  it('lets go whoever waited during an UNSUBSCRIBE of a released channel', async () => {
    const redis = new ScriptedRedis();
    const { sub } = channel(redis);
    void sub.want();
    await redis.succeed();
    sub.release();
    assert.equal(sub.state, 'unsubscribing');
    const live = sub.live;
    assert.equal(await settled(live), false);
    await redis.succeed();
    assert.equal(sub.state, 'idle');
    assert.equal(await settled(live), true);
  });

  it('released and idle, then wanted again: the new caller waits for the new SUBSCRIBE, not the old release', async () => {
    const redis = new ScriptedRedis();
    const { sub } = channel(redis, 60_000);
    const first = sub.want();
    sub.release();
    await redis.fail();
    assert.equal(await settled(first), true);
    const again = sub.want();
    assert.equal(sub.state, 'subscribing');
    assert.equal(await settled(again), false, 'not live yet');
    assert.equal(await settled(sub.live), false);
    await redis.succeed();
    assert.equal(await settled(again), true);
    assert.equal(sub.state, 'live');
  });

  it('released and wanted again while the SUBSCRIBE is in flight: waiters resolve only once it is live', async () => {
    const redis = new ScriptedRedis();
    const { sub, idle } = channel(redis, 1);
    const live = sub.want();
    sub.release();
    const again = sub.want();
    await redis.fail();
    assert.equal(await settled(live), false, 'still wanted after the failure: retrying');
    await new Promise((r) => setTimeout(r, 5));
    await redis.succeed();
    assert.equal(await settled(live), true);
    assert.equal(await settled(again), true);
    assert.equal(sub.state, 'live');
    assert.deepEqual(idle, []);
  });

  it('goes idle without a command when released after a lost connection', async () => {
    const redis = new ScriptedRedis();
    const { sub, idle } = channel(redis);
    void sub.want();
    await redis.succeed();
    sub.connectionLost();
    sub.release();
    await tick();
    assert.equal(sub.state, 'idle');
    assert.deepEqual(idle, ['quotes:AAPL']);
    assert.equal(redis.calls.length, 1);
  });
});
