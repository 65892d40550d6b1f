import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisConfig } from '#app/config';
import { connectFeedSubscriber } from '../../apps/gateway/src/feed/connect-feed-subscriber.js';
import type { FeedSubscriber } from '../../apps/gateway/src/feed/feed-subscriber.js';
import { WorkerFeedSubscriber } from '../../apps/gateway/src/feed/worker-feed-subscriber.js';
import { forgetState, localInfra, reservePorts } from '../support/local-infra.js';
import { waitUntil } from '../support/wait-until.js';

const CHANNEL = 'thread-test:quotes:AAPL';
/** Redis cuts a subscriber holding this much unread (the default is 32 MB; smaller keeps the test light). */
const OUTPUT_LIMIT = 'pubsub 4mb 1mb 60';
const MESSAGES = 6000;
const PAD = 'x'.repeat(4000);

/**
 * Issue 11, goal 3: a gateway whose thread is busy must not leave the pub/sub socket unread until Redis
 * cuts it. The gateway's thread is blocked here (Atomics.wait: no event loop at all, the worst case of a
 * long fan-out) while another process publishes ~24 MB to the feed's channel (the kernel buffers several
 * MB of it on loopback, Redis the rest).
 */
describe('the feed read on a thread of its own', () => {
  const infra = localInfra();
  let redisPort: number | undefined;
  let url: string;
  let admin: Redis;
  const dir = mkdtempSync(path.join(tmpdir(), 'feed-thread-'));

  before(async () => {
    redisPort = await reservePorts(1, 'FEED_THREAD_REDIS_PORT');
    ({ url } = await (await infra).startRedis({ redisPort }));
    admin = new Redis(url);
    await admin.config('SET', 'client-output-buffer-limit', OUTPUT_LIMIT);
  }, { timeout: 60_000 });

  after(async () => {
    admin?.disconnect();
    if (redisPort) {
      await (await infra).stopRedis({ redisPort });
      await forgetState({ redisPort });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Subscribes, floods the channel while this thread is blocked, then reports what the subscriber saw. */
  async function floodWhileBlocked(subscriber: FeedSubscriber, name: string) {
    let lost = 0;
    let last = '';
    subscriber.listen({
      message: (_channel, payload) => (last = payload),
      lost: () => lost++,
      resubscribe: () => undefined,
    });
    await waitUntil('the feed connected', () => subscriber.status === 'ready', { timeoutMs: 10_000 });
    await subscriber.subscribe(CHANNEL);
    const before = await feedConnection();
    const done = path.join(dir, `${name}.done`);
    const publisher = spawn(process.execPath, ['--input-type=module', '-e', publisherScript(url, done)], { stdio: 'inherit' });
    const exited = new Promise((resolve) => publisher.once('exit', resolve));
    blockUntil(() => existsSync(done), 20_000);
    await exited;
    await waitUntil('the last message or a cut', () => last.startsWith(`{"seq":${MESSAGES},`) || lost > 0, { timeoutMs: 10_000 });
    return { lost, last, cut: (await feedConnection()) !== before };
  }

  /** The id of the feed's connection in CLIENT LIST (a new one once Redis has cut it and ioredis reconnected). */
  const feedConnection = async () => /id=(\d+) .*name=feed /.exec(String(await admin.client('LIST')))?.[1];

  it('read on the gateway thread, Redis cuts the connection and the last quote is lost (why the thread exists)', async () => {
    const { subscriber } = connectFeedSubscriber(config(url));
    try {
      const seen = await floodWhileBlocked(subscriber, 'inline');
      assert.equal(seen.cut, true);
      assert.ok(seen.lost > 0);
      assert.doesNotMatch(seen.last, new RegExp(`^\\{"seq":${MESSAGES},`));
    } finally {
      await subscriber.close();
    }
  });

  it('read on its own thread, the connection is never cut, the feed conflates and ends on the last quote', async () => {
    const subscriber = new WorkerFeedSubscriber(config(url), { outbox: { maxWaiting: 200 }, restartDelayMs: 1000, closeTimeoutMs: 2000 });
    try {
      const seen = await floodWhileBlocked(subscriber, 'thread');
      assert.equal(seen.cut, false, 'Redis cut the feed at its output-buffer limit');
      assert.equal(seen.lost, 0);
      assert.match(seen.last, new RegExp(`^\\{"seq":${MESSAGES},`));
      assert.ok(subscriber.conflated > 0, 'the reader thread conflated what the blocked thread could not take');
      assert.equal(subscriber.status, 'ready');
    } finally {
      await subscriber.close();
    }
  });
});

const config = (url: string) => ({ url, clusterNodes: null, keyPrefix: 'thread-test:', quoteTtlMs: 60_000 }) as RedisConfig;

/** Blocks this thread (no event loop, no I/O) until `done()` or the timeout, checking every 50 ms. */
function blockUntil(done: () => boolean, timeoutMs: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) Atomics.wait(cell, 0, 0, 50);
}

/**
 * A process that publishes MESSAGES padded messages, seq 1..MESSAGES, 400 KB at a time with PAUSE_MS
 * between, then writes the `done` file. Paced, as a real feed is: back to back (about 100 MB/s here)
 * 4 MB is 40 ms of it, a lag the reader thread itself can reach on a busy 2-core machine, so Redis may
 * cut even the reader. Paced (about 20 MB/s) the reader has five times that slack; the blocked thread
 * reads nothing at any pace and is still cut.
 */
const PAUSE_MS = 15;
function publisherScript(url: string, done: string): string {
  return `
    import { writeFileSync } from 'node:fs';
    import { setTimeout as sleep } from 'node:timers/promises';
    import { Redis } from 'ioredis';
    const redis = new Redis(${JSON.stringify(url)});
    for (let seq = 1; seq <= ${MESSAGES}; seq += 100) {
      const batch = redis.pipeline();
      for (let s = seq; s < seq + 100 && s <= ${MESSAGES}; s++) batch.publish(${JSON.stringify(CHANNEL)}, '{"seq":' + s + ',"pad":"${PAD}"}');
      await batch.exec();
      await sleep(${PAUSE_MS});
    }
    writeFileSync(${JSON.stringify(done)}, '');
    redis.disconnect();
  `;
}
