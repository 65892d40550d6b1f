import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { GatewayConfig, MarketConfig } from '#app/config';
import type { Quote } from '#app/contracts';
import { ClientSession } from '../connections/client-session.js';
import { fakeSocket } from '../../../../test/support/fake-socket.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { textFrame } from '../connections/text-frame.js';
import type { BarReader } from '../feed/bar-reader.js';
import type { HistoryReader } from '../feed/history-reader.js';
import type { QuoteFeed } from '../feed/quote-feed.js';
import type { QuoteReader } from '../feed/quote-reader.js';
import { SubscriptionIndex } from './subscription-index.js';
import { SubscriptionService } from './subscription.service.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A feed whose channels go live when the spec says so. */
class FakeFeed {
  readonly wanted = new Map<string, ReturnType<typeof deferred>>();
  readonly released: string[] = [];
  /** The newest seq the feed has fanned out per stream. */
  readonly newest = new Map<string, number>();

  newestSeq(key: string) {
    return this.newest.get(key) ?? -1;
  }

  want(symbol: string) {
    if (!this.wanted.has(symbol)) this.wanted.set(symbol, deferred());
    return this.wanted.get(symbol)!.promise;
  }

  release(symbol: string) {
    this.released.push(symbol);
    this.wanted.delete(symbol);
  }

  async whenLive(symbols: Iterable<string>) {
    await Promise.all([...symbols].map((s) => this.wanted.get(s)?.promise));
  }

  goLive(symbol: string) {
    this.wanted.get(symbol)!.resolve();
    return tick();
  }
}

/** The streams a session still keeps a gate for (its private map, for the specs that count them). */
const openGates = (session: ClientSession) => (session as unknown as { gates: Map<string, unknown> | null }).gates?.size ?? 0;

const quote = (symbol: string, seq: number) => ({ symbol, seq, price: 1 }) as unknown as Quote;

function setup(channelWaitMs = 300) {
  const index = new SubscriptionIndex();
  const feed = new FakeFeed();
  const reads: string[][] = [];
  const stored = new Map<string, number>([['AAPL', 10], ['GOOG', 20]]);
  const reader = {
    latest: async (symbols: string[]) => {
      reads.push(symbols);
      return symbols.filter((s) => stored.has(s)).map((s) => quote(s, stored.get(s)!));
    },
  };
  const config = { maxSymbolsPerConnection: 10 } as GatewayConfig;
  const market = { symbols: [{ symbol: 'AAPL' }, { symbol: 'GOOG' }] } as MarketConfig;
  const missed = new Map<string, { recovered: boolean; seqs: number[] }>();
  const history = {
    missedSince: async (since: Map<string, number>) =>
      [...since.keys()].map((symbol) => ({
        symbol,
        recovered: missed.get(symbol)?.recovered ?? false,
        missed: (missed.get(symbol)?.seqs ?? []).map((seq) => ({ seq, json: JSON.stringify({ symbol, seq }) })),
        latest: stored.has(symbol) ? quote(symbol, stored.get(symbol)!) : null,
      })),
  } as unknown as HistoryReader;
  const bars = { current: async () => [] } as unknown as BarReader;
  const service = new SubscriptionService(index, feed as unknown as QuoteFeed, reader as unknown as QuoteReader, history, bars, config, market, channelWaitMs);
  const newSession = () => {
    const fake = fakeSocket();
    const limits = { slowBytes: 1e6, maxBytes: 2e6, maxQueuedRequests: 8 };
    const session = new ClientSession(fake.ws, '127.0.0.1', limits, new GatewayStats());
    const types = () => fake.sent.map((f) => JSON.parse(f).type as string);
    return { session, sent: fake.sent, types };
  };
  return { index, feed, reads, missed, service, newSession };
}

describe('SubscriptionService', () => {
  it('never indexes a session that closed before its queued subscribe ran', async () => {
    const { index, feed, service, newSession } = setup();
    const { session, sent } = newSession();
    session.close();
    service.disconnect(session);
    await service.subscribe(session, { symbols: ['AAPL'] });
    assert.equal(index.symbolCount, 0);
    assert.equal(feed.wanted.size, 0);
    assert.deepEqual(sent, []);
  });

  it('forgets a session that closes while its subscribe waits for the channel, and releases the channel', async () => {
    const { index, feed, reads, service, newSession } = setup();
    const { session } = newSession();
    const subscribing = service.subscribe(session, { symbols: ['AAPL'] });
    assert.equal(index.symbolCount, 1);
    session.close();
    service.disconnect(session);
    assert.deepEqual(feed.released, ['AAPL']);
    await subscribing;
    await tick();
    assert.equal(index.symbolCount, 0, 'the subscribe resuming after the close adds nothing back');
    assert.deepEqual(reads, [], 'no snapshot read for a closed session');
  });

  it('reads the snapshot only once the channel is live, for a second subscriber racing the first SUBSCRIBE too', async () => {
    const { feed, reads, service, newSession } = setup();
    const a = newSession();
    const b = newSession();
    const first = service.subscribe(a.session, { symbols: ['AAPL'] });
    const second = service.subscribe(b.session, { symbols: ['AAPL'] });
    await tick();
    assert.deepEqual(reads, [], 'neither subscriber reads before the channel is live');
    assert.deepEqual(a.types(), ['subscribed']);
    assert.deepEqual(b.types(), ['subscribed']);
    await feed.goLive('AAPL');
    await Promise.all([first, second]);
    await tick();
    assert.deepEqual(reads, [['AAPL'], ['AAPL']]);
    assert.deepEqual(b.types(), ['subscribed', 'snapshot']);
  });

  it("keeps a stream's gate after the snapshot while the feed may still hand on what it covered", async () => {
    const { feed, service, newSession } = setup();
    const { session, sent } = newSession();
    feed.newest.set('AAPL', 9);
    const subscribing = service.subscribe(session, { symbols: ['AAPL'] });
    await feed.goLive('AAPL');
    await subscribing;
    assert.equal(openGates(session), 1, 'seq 10 (the snapshot) may still come through the feed');
    session.deliver('AAPL', 10, textFrame('{"type":"update","seq":10}'));
    session.deliver('AAPL', 11, textFrame('{"type":"update","seq":11}'));
    await tick();
    assert.deepEqual(sent.slice(2).map((f) => JSON.parse(f).seq), [11]);
    assert.equal(openGates(session), 0, 'a newer update ends it');
  });

  it("lets a stream's gate go with the snapshot once the feed has handed on its seq (a quiet market keeps none)", async () => {
    const { feed, service, newSession } = setup();
    const { session } = newSession();
    feed.newest.set('AAPL', 10);
    const subscribing = service.subscribe(session, { symbols: ['AAPL', 'GOOG'] });
    await feed.goLive('AAPL');
    await feed.goLive('GOOG');
    await subscribing;
    assert.equal(openGates(session), 1, "AAPL's gate went; GOOG's (seq 20, the feed at none) stays");
  });

  it("keeps a throttled stream's gate: a beat may still bring an update the snapshot covered", async () => {
    const { feed, service, newSession } = setup();
    const { session } = newSession();
    feed.newest.set('AAPL', 10);
    const subscribing = service.subscribe(session, { symbols: ['AAPL'], throttleMs: 1000 });
    await feed.goLive('AAPL');
    await subscribing;
    assert.equal(openGates(session), 1);
  });

  it('holds updates that race the snapshot and releases only the newer ones after it', async () => {
    const { feed, service, newSession } = setup();
    const { session, sent } = newSession();
    const subscribing = service.subscribe(session, { symbols: ['AAPL'] });
    session.deliver('AAPL', 9, textFrame('{"type":"update","seq":9}'));
    await feed.goLive('AAPL');
    session.deliver('AAPL', 11, textFrame('{"type":"update","seq":11}'));
    await subscribing;
    await tick();
    assert.deepEqual(sent.map((f) => JSON.parse(f).type), ['subscribed', 'snapshot', 'update']);
    assert.equal(JSON.parse(sent[2]).seq, 11);
  });

  it('answers FEED_UNAVAILABLE when the channel is not live in time, and sends the snapshot once it is', async () => {
    const { feed, reads, service, newSession } = setup(10);
    const { session, sent, types } = newSession();
    await service.subscribe(session, { symbols: ['GOOG'] });
    await tick();
    assert.deepEqual(types(), ['subscribed', 'error']);
    assert.equal(JSON.parse(sent[1]).payload.code, 'FEED_UNAVAILABLE');
    assert.equal(session.symbols.has('GOOG'), true, 'still subscribed');
    await feed.goLive('GOOG');
    await session.settled();
    await tick();
    assert.deepEqual(reads, [['GOOG']]);
    assert.deepEqual(types(), ['subscribed', 'error', 'snapshot']);
  });

  it('after FEED_UNAVAILABLE, keeps the live updates that beat the late snapshot until it is sent (bug 2)', async () => {
    const { feed, service, newSession } = setup(10);
    const { session, sent, types } = newSession();
    await service.subscribe(session, { symbols: ['GOOG'] });
    await tick();
    feed.wanted.get('GOOG')!.resolve();
    session.deliver('GOOG', 21, textFrame('{"type":"update","payload":{"seq":21}}'));
    for (let i = 0; i < 5; i++) await tick();
    assert.deepEqual(types(), ['subscribed', 'error', 'snapshot', 'update']);
    assert.deepEqual(sent.slice(2).map((f) => (JSON.parse(f).payload.quotes?.[0] ?? JSON.parse(f).payload).seq), [20, 21]);
  });

  it('lets a subscribed symbol flow while another symbol of the same client waits for its channel (bug 3)', async () => {
    const { feed, service, newSession } = setup();
    const { session, types } = newSession();
    const first = service.subscribe(session, { symbols: ['AAPL'] });
    await feed.goLive('AAPL');
    await first;
    const second = service.subscribe(session, { symbols: ['GOOG'] });
    session.deliver('AAPL', 11, textFrame('{"type":"update","payload":{"seq":11}}'));
    await tick();
    assert.deepEqual(types(), ['subscribed', 'snapshot', 'subscribed', 'update'], 'AAPL is not held behind GOOG');
    await feed.goLive('GOOG');
    await second;
    await tick();
    assert.deepEqual(types().slice(-1), ['snapshot']);
  });

  it('names the symbols, not the stream keys, in the FEED_UNAVAILABLE of a bar subscribe', async () => {
    const { service, newSession } = setup(10);
    const { session, sent } = newSession();
    await service.subscribeBars(session, { symbols: ['AAPL'], interval: '1m' });
    await tick();
    assert.deepEqual(JSON.parse(sent[1]).payload.symbols, ['AAPL']);
  });

  it('sends no late snapshot for a symbol unsubscribed before the feed came back', async () => {
    const { feed, reads, service, newSession } = setup(10);
    const { session, types } = newSession();
    await service.subscribe(session, { symbols: ['GOOG'] });
    await tick();
    const pending = feed.wanted.get('GOOG')!;
    service.unsubscribe(session, ['GOOG']);
    pending.resolve();
    await tick();
    await session.settled();
    await tick();
    assert.deepEqual(reads, []);
    assert.deepEqual(types(), ['subscribed', 'error', 'unsubscribed']);
  });

  it('acknowledges every symbol of an unsubscribe, held or not, so a client that sent it twice knows it is done', async () => {
    const { feed, service, newSession } = setup();
    const { session, sent } = newSession();
    const subscribing = service.subscribe(session, { symbols: ['AAPL'] });
    await feed.goLive('AAPL');
    await subscribing;
    await tick();
    service.unsubscribe(session, ['AAPL', 'GOOG']);
    service.unsubscribe(session, ['AAPL']);
    service.unsubscribeBars(session, { symbols: ['AAPL'], interval: '1s' });
    await tick();
    assert.deepEqual(sent.map((f) => JSON.parse(f)).slice(2), [
      { type: 'unsubscribed', payload: { symbols: ['AAPL', 'GOOG'] } },
      { type: 'unsubscribed', payload: { symbols: ['AAPL'] } },
      { type: 'barsUnsubscribed', payload: { symbols: ['AAPL'], interval: '1s' } },
    ]);
    assert.deepEqual(feed.released, ['AAPL'], 'only the held one is released, once');
    assert.equal(session.symbols.size, 0);
  });

  it('answers INTERNAL_ERROR when the snapshot read fails, and still delivers what it held', async () => {
    const { feed, service, newSession } = setup();
    const { session, sent, types } = newSession();
    (service as unknown as { reader: QuoteReader }).reader = { latest: async () => Promise.reject(new Error('READONLY')) } as unknown as QuoteReader;
    const subscribing = service.subscribe(session, { symbols: ['AAPL'] });
    await feed.goLive('AAPL');
    session.deliver('AAPL', 12, textFrame('{"type":"update","seq":12}'));
    await subscribing;
    await tick();
    assert.deepEqual(types(), ['subscribed', 'error', 'update']);
    assert.equal(JSON.parse(sent[1]).payload.code, 'INTERNAL_ERROR');
  });

  it('replays what a client missed since its seq after the snapshot, says it recovered, and drops held updates already replayed', async () => {
    const { feed, missed, service, newSession } = setup();
    missed.set('AAPL', { recovered: true, seqs: [8, 9, 10] });
    const { session, sent } = newSession();
    const subscribing = service.subscribe(session, { symbols: ['AAPL', 'GOOG'], since: new Map([['AAPL', 7]]) });
    session.deliver('AAPL', 10, textFrame('{"type":"update","payload":{"seq":10}}'));
    session.deliver('AAPL', 11, textFrame('{"type":"update","payload":{"seq":11}}'));
    await feed.goLive('AAPL');
    await feed.goLive('GOOG');
    await subscribing;
    await tick();
    const frames = sent.map((f) => JSON.parse(f));
    assert.deepEqual(frames[1], {
      type: 'snapshot',
      payload: { quotes: [{ symbol: 'GOOG', seq: 20, price: 1 }], recovery: { AAPL: { recovered: true, replayed: 3 } } },
    });
    assert.deepEqual(frames.slice(2).map((f) => f.payload.seq), [8, 9, 10, 11], 'replayed in order, then live, no duplicate at the seam');
  });

  it('sends the latest quote and recovered: false when history no longer reaches back', async () => {
    const { feed, service, newSession } = setup();
    const { session, sent } = newSession();
    const subscribing = service.subscribe(session, { symbols: ['AAPL'], since: new Map([['AAPL', 1]]) });
    await feed.goLive('AAPL');
    await subscribing;
    await tick();
    assert.deepEqual(JSON.parse(sent[1]).payload, { quotes: [{ symbol: 'AAPL', seq: 10, price: 1 }], recovery: { AAPL: { recovered: false, replayed: 0 } } });
  });

  it('sends the current bar of each new symbol, then bar changes newer than it', async () => {
    const { feed, service, newSession } = setup();
    const { session, sent } = newSession();
    (service as unknown as { bars: BarReader }).bars = {
      current: async (_interval: string, symbols: string[]) => symbols.map((symbol) => ({ symbol, seq: 5, json: `{"symbol":"${symbol}","seq":5}` })),
    } as unknown as BarReader;
    const subscribing = service.subscribeBars(session, { symbols: ['AAPL'], interval: '1m' });
    session.deliver('1m:AAPL', 4, textFrame('{"type":"bar","payload":{"seq":4}}'));
    session.deliver('1m:AAPL', 6, textFrame('{"type":"bar","payload":{"seq":6}}'));
    await feed.goLive('1m:AAPL');
    await subscribing;
    await tick();
    const frames = sent.map((f) => JSON.parse(f));
    assert.deepEqual(frames[0], { type: 'barsSubscribed', payload: { symbols: ['AAPL'], interval: '1m' } });
    assert.deepEqual(frames.slice(1).map((f) => [f.type, f.payload.seq]), [['bar', 5], ['bar', 6]]);
    service.unsubscribeBars(session, { symbols: ['AAPL'], interval: '1m' });
    assert.deepEqual(feed.released, ['1m:AAPL']);
    assert.equal(session.bars.size, 0);
  });
});
