import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ClientSession } from '../connections/client-session.js';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import { QuoteFeed } from './quote-feed.js';

/** A pub/sub connection that confirms SUBSCRIBE unless told Redis is away, and can drop and come back. */
class FakeSubscriber extends EventEmitter {
  readonly commands: string[] = [];
  up = true;

  async subscribe(channel: string) {
    this.commands.push(`SUBSCRIBE ${channel}`);
    if (!this.up) throw new Error('Reached the max retries per request limit');
  }

  async unsubscribe(channel: string) {
    this.commands.push(`UNSUBSCRIBE ${channel}`);
  }

  drop() {
    this.up = false;
    this.emit('close');
  }

  comeBack() {
    this.up = true;
    this.emit('ready');
  }
}

function feed() {
  const subscriber = new FakeSubscriber();
  const index = new SubscriptionIndex();
  const quoteFeed = new QuoteFeed({ keyPrefix: 'p:' }, index, subscriber as unknown as Redis);
  return { subscriber, index, quoteFeed };
}

function recordingSession() {
  const got: Array<{ symbol: string; seq: number; frame: string }> = [];
  const session = {
    symbols: new Set<string>(),
    deliver: (symbol: string, seq: number, frame: Buffer) => got.push({ symbol, seq, frame: frame.toString() }),
  } as unknown as ClientSession;
  return { session, got };
}

describe('QuoteFeed', () => {
  it('fans a quote out to every subscriber of its symbol as one update frame, built once', () => {
    const { subscriber, index } = feed();
    const a = recordingSession();
    const b = recordingSession();
    index.add('AAPL', a.session);
    index.add('AAPL', b.session);
    subscriber.emit('message', 'p:quotes:AAPL', '{"symbol":"AAPL","seq":7}');
    subscriber.emit('message', 'p:quotes:GOOG', '{"symbol":"GOOG","seq":8}');
    assert.deepEqual(a.got, [{ symbol: 'AAPL', seq: 7, frame: '{"type":"update","payload":{"symbol":"AAPL","seq":7}}' }]);
    assert.deepEqual(b.got, a.got);
  });

  it('re-subscribes every wanted channel after a reconnect, itself', async () => {
    const { subscriber, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    await quoteFeed.want('GOOG');
    subscriber.drop();
    assert.equal(quoteFeed.pendingCount, 2, 'nothing is live while the connection is down');
    subscriber.comeBack();
    await quoteFeed.whenLive(['AAPL', 'GOOG']);
    assert.deepEqual(subscriber.commands.slice(2).sort(), ['SUBSCRIBE p:quotes:AAPL', 'SUBSCRIBE p:quotes:GOOG']);
    assert.equal(quoteFeed.pendingCount, 0);
  });

  it('keeps retrying a SUBSCRIBE refused while Redis is away, and goes live once it is back', async () => {
    const { subscriber, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    subscriber.drop();
    const live = quoteFeed.want('META');
    await tick();
    assert.equal(quoteFeed.pendingCount, 2);
    subscriber.comeBack();
    await live;
    await quoteFeed.whenLive(['AAPL']);
    assert.equal(quoteFeed.pendingCount, 0);
    assert.ok(quoteFeed.subscribeRetries >= 1);
  });

  it('forgets a channel once released and unsubscribed', async () => {
    const { subscriber, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    quoteFeed.release('AAPL');
    await tick();
    assert.equal(quoteFeed.channelCount, 0);
    assert.deepEqual(subscriber.commands, ['SUBSCRIBE p:quotes:AAPL', 'UNSUBSCRIBE p:quotes:AAPL']);
  });
});
