import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ServerMessage } from '#app/contracts';
import { assertConsecutive, assertStrictlyIncreasing, highest, seqsSeenBy } from '../support/seq-order.js';
import { System } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG'];
const CLIENTS = 5;

type Snapshot = Extract<ServerMessage, { type: 'snapshot' }>;

/** Seqs a client received per symbol, over several connections, in arrival order. */
function merge(into: Map<string, number[]>, from: Map<string, number[]>) {
  for (const [symbol, seqs] of from) into.set(symbol, [...(into.get(symbol) ?? []), ...seqs]);
}

describe('recovery on re-subscribe, throttling and bars over a real socket', () => {
  let system: System;
  const open: TestClient[] = [];
  const connect = async () => {
    const client = await TestClient.connect(system.wsUrl);
    open.push(client);
    return client;
  };

  before(async () => {
    system = await System.start({ SYMBOLS: SYMBOLS.join(','), TICK_INTERVAL_MS: '50' });
  }, { timeout: 120_000 });

  after(async () => {
    for (const client of open) client.close();
    await system?.stop();
  }, { timeout: 60_000 });

  it(`${CLIENTS} clients that drop for 3 s and re-subscribe with since get every seq in between once, in order, then live updates`, { timeout: 90_000 }, async (t) => {
    const seen = Array.from({ length: CLIENTS }, () => new Map<string, number[]>());
    const first = await Promise.all(seen.map(() => connect()));
    for (const client of first) client.send({ action: 'subscribe', payload: { symbols: SYMBOLS } });
    await waitUntil('updates of every symbol on every client', () => first.every((c) => seqsSeenBy(c).size === SYMBOLS.length && c.updates().length > 10), { timeoutMs: 15_000 });
    first.forEach((client, i) => {
      client.close();
      merge(seen[i], seqsSeenBy(client));
    });
    await sleep(3000);

    const second = await Promise.all(seen.map(() => connect()));
    second.forEach((client, i) => {
      const since = Object.fromEntries(highest(seen[i]));
      client.send({ action: 'subscribe', payload: { symbols: SYMBOLS, since } });
    });
    const snapshots = await Promise.all(second.map((c) => c.next((m) => m.type === 'snapshot') as Promise<Snapshot>));
    for (const snapshot of snapshots) {
      assert.deepEqual(snapshot.payload.quotes, [], 'nothing to snapshot: every symbol recovered');
      for (const symbol of SYMBOLS) assert.equal(snapshot.payload.recovery?.[symbol]?.recovered, true, `${symbol} recovered`);
    }
    const replayed = snapshots[0].payload.recovery!.AAPL.replayed;
    assert.ok(replayed >= 40, `about 3 s of AAPL ticks replayed (${replayed})`);
    await sleep(1500); // live updates after the replay
    second.forEach((client, i) => merge(seen[i], seqsSeenBy(client)));
    seen.forEach((seqs, i) => {
      assertStrictlyIncreasing(seqs, `client ${i} across the drop`);
      assertConsecutive(seqs, `client ${i} across the drop`);
    });
    t.diagnostic(`replayed ${replayed} AAPL quotes after a 3 s drop; every client saw every seq once`);
  });

  it('says recovered: false and sends the snapshot when history no longer reaches back', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', payload: { symbols: ['MSFT'], since: { MSFT: 1 } } });
    await client.expect('subscribed');
    const snapshot = (await client.expect('snapshot')) as Snapshot;
    assert.deepEqual(snapshot.payload.recovery, { MSFT: { recovered: false, replayed: 0 } });
    assert.equal(snapshot.payload.quotes.length, 1);
    assert.equal(snapshot.payload.quotes[0].symbol, 'MSFT');
  });

  it('streams 1-second bars: the current bar at once, then every change, each closed once', { timeout: 60_000 }, async () => {
    const client = await connect();
    client.send({ action: 'subscribeBars', payload: { symbols: ['AAPL'], interval: '1s' } });
    await client.expect('barsSubscribed');
    await waitUntil('two closed 1 s bars', () => client.received.filter((m) => m.type === 'bar' && m.payload.closed).length >= 2, { timeoutMs: 10_000 });
    const bars = client.received.flatMap((m) => (m.type === 'bar' ? [m.payload] : []));
    const closedStarts = bars.filter((b) => b.closed).map((b) => b.start);
    assert.equal(new Set(closedStarts).size, closedStarts.length, 'each bar closed once');
    for (let i = 1; i < bars.length; i++) assert.ok(bars[i].seq >= bars[i - 1].seq && bars[i].start >= bars[i - 1].start, 'bars move forward');
    assert.ok(bars.every((b) => b.symbol === 'AAPL' && b.interval === '1s' && b.low <= b.open && b.open <= b.high && b.low <= b.close && b.close <= b.high));
  });
  it('sends a throttled client at most one update per interval, and always the latest quote in the end', { timeout: 60_000 }, async () => {
    const client = await connect();
    const unthrottled = await connect();
    client.send({ action: 'subscribe', payload: { symbols: ['GOOG'], throttleMs: 500 } });
    unthrottled.send({ action: 'subscribe', payload: { symbols: ['GOOG'] } });
    await client.expect('subscribed');
    await client.expect('snapshot');
    const from = client.received.length;
    const started = Date.now();
    await sleep(3000);
    const window = Date.now() - started;
    const updates = client.received.slice(from).filter((m) => m.type === 'update');
    const everyTick = unthrottled.updates().length;
    assert.ok(updates.length <= Math.ceil(window / 500) + 1, `${updates.length} updates in ${window} ms at one per 500 ms`);
    assert.ok(updates.length >= 3 && everyTick > 3 * updates.length, `throttled ${updates.length}, unthrottled ${everyTick}`);

    await system.apps.generator!.stop();
    await waitUntil('the throttled client to hold the latest quote the unthrottled one got', () => {
      const latest = highest(seqsSeenBy(unthrottled)).get('GOOG');
      return latest !== undefined && highest(seqsSeenBy(client)).get('GOOG') === latest;
    }, { timeoutMs: 5000, state: () => [highest(seqsSeenBy(client)), highest(seqsSeenBy(unthrottled))] });
  });

});
