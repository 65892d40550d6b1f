import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { ClientSession } from '../connections/client-session.js';
import { SubscriptionIndex } from '../subscriptions/subscription-index.js';
import type { FeedListener, FeedSubscriber } from './feed-subscriber.js';
import { framePayload } from '../../../../test/support/fake-socket.js';
import { FeedTrace } from './feed-trace.js';
import { QuoteFeed } from './quote-feed.js';

/**
 * A pub/sub connection that confirms SUBSCRIBE unless the channel's server is away; it can drop as a
 * whole and come back, or lose one shard (the channels `down` picks) and have it taken over.
 */
class FakeSubscriber implements FeedSubscriber {
  readonly commands: string[] = [];
  status = 'ready';
  down: (channel: string) => boolean = () => false;
  private listener!: FeedListener;

  listen(listener: FeedListener) {
    this.listener = listener;
  }

  async subscribe(channel: string) {
    this.commands.push(`SUBSCRIBE ${channel}`);
    if (this.down(channel)) throw new Error('Reached the max retries per request limit');
  }

  async unsubscribe(channel: string) {
    this.commands.push(`UNSUBSCRIBE ${channel}`);
  }

  async close() {}

  emit(channel: string, message: string) {
    this.listener.message(channel, message);
  }

  drop() {
    this.down = () => true;
    this.listener.lost(() => true);
  }

  comeBack() {
    this.down = () => false;
    this.listener.resubscribe();
  }

  /** One shard's master died: its channels' subscriptions are gone and re-subscribing fails until a replica takes over. */
  loseShard(onShard: (channel: string) => boolean) {
    this.down = onShard;
    this.listener.lost(onShard);
    this.listener.resubscribe();
  }
}

function feed() {
  const subscriber = new FakeSubscriber();
  const index = new SubscriptionIndex();
  const quoteFeed = new QuoteFeed({ keyPrefix: 'p:' }, subscriber, new FeedTrace());
  quoteFeed.deliverTo(index);
  return { subscriber, index, quoteFeed };
}

function recordingSession() {
  const got: Array<{ symbol: string; seq: number; frame: string }> = [];
  const session = {
    symbols: new Set<string>(),
    deliver: (symbol: string, seq: number, frame: Buffer) => got.push({ symbol, seq, frame: framePayload(frame) }),
  } as unknown as ClientSession;
  return { session, got };
}

/** Until the fan-out backlog has nothing waiting (on a slow machine a turn may run past its budget). */
async function fannedOut(quoteFeed: QuoteFeed) {
  do await tick();
  while (quoteFeed.backlog.size > 0);
}

describe('QuoteFeed', () => {
  it('fans a quote out to every subscriber of its symbol as one update frame, built once', async () => {
    const { subscriber, index, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    await quoteFeed.want('GOOG');
    const a = recordingSession();
    const b = recordingSession();
    index.add('AAPL', a.session);
    index.add('AAPL', b.session);
    subscriber.emit('p:quotes:{AAPL}', '{"symbol":"AAPL","seq":7}');
    subscriber.emit('p:quotes:{GOOG}', '{"symbol":"GOOG","seq":8}');
    await fannedOut(quoteFeed);
    assert.deepEqual(a.got, [{ symbol: 'AAPL', seq: 7, frame: '{"type":"update","payload":{"symbol":"AAPL","seq":7}}' }]);
    assert.deepEqual(b.got, a.got);
  });

  it('fans a bar out on its interval:symbol stream as a bar frame', async () => {
    const { subscriber, index, quoteFeed } = feed();
    await quoteFeed.want('1m:AAPL');
    const a = recordingSession();
    index.add('1m:AAPL', a.session);
    subscriber.emit('p:bar:1m:{AAPL}', '{"symbol":"AAPL","seq":3}');
    await fannedOut(quoteFeed);
    assert.deepEqual(a.got, [{ symbol: '1m:AAPL', seq: 3, frame: '{"type":"bar","payload":{"symbol":"AAPL","seq":3}}' }]);
  });

  it('drops a quote not newer than one already sent on its stream (a failover replaying writes), but passes a closed bar of the same seq', async () => {
    const { subscriber, index, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    await quoteFeed.want('1m:AAPL');
    const quotes = recordingSession();
    const bars = recordingSession();
    index.add('AAPL', quotes.session);
    index.add('1m:AAPL', bars.session);
    for (const seq of [5, 6, 4, 6, 7]) {
      subscriber.emit('p:quotes:{AAPL}', `{"symbol":"AAPL","seq":${seq}}`);
      await fannedOut(quoteFeed);
    }
    for (const [seq, closed] of [[6, false], [6, true], [5, false], [7, false]] as const) {
      subscriber.emit('p:bar:1m:{AAPL}', `{"seq":${seq},"closed":${closed}}`);
      await fannedOut(quoteFeed);
    }
    assert.deepEqual(quotes.got.map((u) => u.seq), [5, 6, 7]);
    assert.deepEqual(bars.got.map((u) => u.frame), [
      '{"type":"bar","payload":{"seq":6,"closed":false}}',
      '{"type":"bar","payload":{"seq":6,"closed":true}}',
      '{"type":"bar","payload":{"seq":7,"closed":false}}',
    ]);
    assert.equal(quoteFeed.staleDropped, 3);
  });

  it('re-subscribes every wanted channel after a reconnect, itself', async () => {
    const { subscriber, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    await quoteFeed.want('GOOG');
    subscriber.drop();
    assert.equal(quoteFeed.pendingCount, 2, 'nothing is live while the connection is down');
    subscriber.comeBack();
    await quoteFeed.whenLive(['AAPL', 'GOOG']);
    assert.deepEqual(subscriber.commands.slice(2).sort(), ['SUBSCRIBE p:quotes:{AAPL}', 'SUBSCRIBE p:quotes:{GOOG}']);
    assert.equal(quoteFeed.pendingCount, 0);
  });

  it('when one shard is lost, only its channels go pending; they retry until its replica takes over, the others stay live', async () => {
    const { subscriber, quoteFeed } = feed();
    for (const key of ['AAPL', 'GOOG', '1m:AAPL']) await quoteFeed.want(key);
    const sent = subscriber.commands.length;
    subscriber.loseShard((channel) => channel.endsWith('{AAPL}'));
    assert.equal(quoteFeed.pendingCount, 2, 'the quote and bar channels of AAPL');
    while (quoteFeed.subscribeRetries < 2) await tick();
    assert.equal(quoteFeed.pendingCount, 2, 'SSUBSCRIBE fails and waits to retry while the shard has no master');
    assert.ok(!subscriber.commands.slice(sent).includes('SUBSCRIBE p:quotes:{GOOG}'), 'the other shard is left alone');
    subscriber.comeBack();
    await quoteFeed.whenLive(['AAPL', '1m:AAPL', 'GOOG']);
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

  it('forgets a channel once released and unsubscribed, and its messages with it', async () => {
    const { subscriber, index, quoteFeed } = feed();
    await quoteFeed.want('AAPL');
    quoteFeed.release('AAPL');
    await tick();
    assert.equal(quoteFeed.channelCount, 0);
    assert.deepEqual(subscriber.commands, ['SUBSCRIBE p:quotes:{AAPL}', 'UNSUBSCRIBE p:quotes:{AAPL}']);
    const late = recordingSession();
    index.add('AAPL', late.session);
    subscriber.emit('p:quotes:{AAPL}', '{"symbol":"AAPL","seq":1}');
    await fannedOut(quoteFeed);
    assert.deepEqual(late.got, []);
  });
});
