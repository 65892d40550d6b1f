import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READ_GRACE_MS, ReadReceipts, SLOW_MEMORY_MS, SLOW_READ_LAG_MS } from './read-receipts.js';

function receipts(probeEveryBytes = 100, limitBytes = 400) {
  const pings: Buffer[] = [];
  const clock = { now: 0 };
  const r = new ReadReceipts(probeEveryBytes, limitBytes, { ping: (payload: Buffer) => pings.push(payload) }, () => clock.now);
  return { pings, receipts: r, clock };
}

describe('ReadReceipts', () => {
  it('pings only once enough bytes are unconfirmed, and one ping at a time', () => {
    const { receipts: r, pings } = receipts();
    r.wrote(60);
    assert.equal(pings.length, 0, 'an idle or barely written client gets no ping');
    r.wrote(60);
    r.wrote(500);
    assert.equal(pings.length, 1);
    assert.equal(r.unread, 620);
  });

  it('a pong confirms the bytes written before its ping, not those after', () => {
    const { receipts: r, pings } = receipts();
    r.wrote(120);
    r.wrote(30);
    assert.equal(r.pong(pings[0]), true);
    assert.equal(r.unread, 30);
    assert.equal(r.probing, false);
  });

  it("ignores a pong that is not the probe's (the heartbeat's empty one, a stale or forged one)", () => {
    const { receipts: r, pings } = receipts();
    r.wrote(120);
    assert.equal(r.pong(Buffer.alloc(0)), false);
    assert.equal(r.pong(Buffer.from([0, 0, 0, 9])), false);
    assert.equal(r.unread, 120);
    assert.equal(r.pong(pings[0]), true);
    assert.equal(r.pong(pings[0]), false, 'answered once');
    assert.equal(r.unread, 0);
  });

  it('pings again at the pong while enough written after the first is still unconfirmed', () => {
    const { receipts: r, pings } = receipts();
    r.wrote(100);
    r.wrote(250);
    r.pong(pings[0]);
    assert.equal(pings.length, 2, 'a probe is out whenever 100 bytes or more are unconfirmed');
    assert.equal(r.unread, 250);
    r.pong(pings[1]);
    assert.equal(r.unread, 0);
    assert.equal(pings.length, 2);
  });

  it('is behind only once more than the limit has stayed unread past the grace: a burst the client reads is not', () => {
    const { receipts: r, pings, clock } = receipts();
    r.wrote(1000);
    assert.equal(r.isBehind(), false, 'a burst just written');
    clock.now += READ_GRACE_MS - 1;
    r.pong(pings[0]);
    r.pong(pings[1]);
    assert.equal(r.unread, 0);
    clock.now += 10;
    assert.equal(r.isBehind(), false, 'read within the grace: never behind');
  });

  it('is not behind while its receipts come back within the grace, however much a burst leaves unread at each pong', () => {
    const { receipts: r, pings, clock } = receipts();
    r.wrote(1000);
    clock.now += 300;
    r.wrote(600);
    r.pong(pings[0]);
    assert.equal(r.unread, 600, 'the pong confirms only what was written before its ping');
    clock.now += 300;
    assert.equal(r.isBehind(), false, 'over the limit at every pong for 600 ms, but each receipt back within the grace');
    r.wrote(600);
    clock.now += 100;
    r.pong(pings[1]);
    assert.equal(r.unread, 600);
    clock.now += READ_GRACE_MS;
    assert.equal(r.isBehind(), false, 'the third receipt out for exactly the grace');
    clock.now += 1;
    assert.equal(r.isBehind(), true, 'the third receipt late: behind');
    r.pong(pings[2]);
    assert.equal(r.isBehind(), false, 'caught up');
  });

  it('gives a client found behind no new grace for a while after it catches up, and one again later', () => {
    const { receipts: r, pings, clock } = receipts();
    r.wrote(1000);
    clock.now += READ_GRACE_MS + 1;
    assert.equal(r.isBehind(), true);
    r.pong(pings[0]);
    assert.equal(r.isBehind(), false, 'caught up');
    r.wrote(500);
    assert.equal(r.isBehind(), true, 'over the limit again soon after: no grace this time');
    r.pong(pings[1]);
    clock.now += SLOW_MEMORY_MS + 1;
    r.wrote(500);
    assert.equal(r.isBehind(), false, 'long after: a burst gets its grace again');
  });

  it('holds a client found behind to reading within SLOW_READ_LAG_MS of the write, however few bytes that is', () => {
    const { receipts: r, pings, clock } = receipts();
    r.wrote(1000);
    clock.now += READ_GRACE_MS + 1;
    assert.equal(r.isBehind(), true, 'found behind once');
    r.pong(pings[0]);
    assert.equal(r.isBehind(), false, 'caught up');
    r.wrote(150);
    assert.equal(r.probing, true);
    assert.ok(r.unread < 400, 'under the byte limit');
    clock.now += SLOW_READ_LAG_MS;
    assert.equal(r.isBehind(), false, 'its receipt not late yet');
    clock.now += 1;
    assert.equal(r.isBehind(), true, 'still reading what was written SLOW_READ_LAG_MS ago: behind, at 150 bytes');
    r.pong(pings[1]);
    assert.equal(r.isBehind(), false, 'the receipt came back: caught up');
  });

  it('gives a client not found behind the whole grace for its receipt, under the byte limit too', () => {
    const { receipts: r, pings, clock } = receipts();
    r.wrote(300);
    assert.equal(r.probing, true);
    clock.now += READ_GRACE_MS;
    assert.equal(r.isBehind(), false, 'a burst under the limit, its receipt out for the whole grace: not behind');
    clock.now += 1;
    assert.equal(r.isBehind(), true, 'still not read what was written READ_GRACE_MS ago: behind');
    r.pong(pings[0]);
    assert.equal(r.isBehind(), false);
  });
});
