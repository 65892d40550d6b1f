import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ClientOutbox, type OutboxSocket } from './client-outbox.js';
import { DeliveryTurn } from './delivery-turn.js';
import { OutboxWriter } from './outbox-writer.js';

function outbox(limits = { slowBytes: 100, maxBytes: 1000 }, writer?: OutboxWriter, onWrite = () => {}) {
  const written: string[][] = [];
  const drains: Array<() => void> = [];
  let batch: string[] | null = null;
  const raw = {
    cork: () => (batch = []),
    uncork: () => {
      written.push(batch!);
      batch = null;
    },
    write: (frame: Buffer) => {
      batch!.push(String(frame));
      onWrite();
    },
    once: (_event: string, listener: () => void) => drains.push(listener),
    get writableNeedDrain() {
      return socket.bufferedAmount > 0;
    },
  };
  const socket = { bufferedAmount: 0, open: true, closedAsTooSlow: 0 };
  const target: OutboxSocket = {
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    raw: () => (socket.open ? (raw as never) : null),
    closeAsTooSlow: () => socket.closedAsTooSlow++,
  };
  const counters = { messagesSent: 0, updatesConflated: 0 };
  const box = new ClientOutbox(target, limits, counters, writer);
  return { box, written, socket, counters, drain: () => drains.splice(0).forEach((l) => l()) };
}

const f = (text: string) => Buffer.from(text);

describe('ClientOutbox', () => {
  it('writes everything a turn queued in one corked write, in order, on the next turn', async () => {
    const { box, written, counters } = outbox();
    box.update('AAPL', f('a1'));
    box.reply(f('r'));
    box.update('AAPL', f('a2'));
    assert.deepEqual(written, []);
    await turn();
    assert.deepEqual(written, [['a1', 'r', 'a2']]);
    assert.equal(counters.messagesSent, 3);
  });

  it('writes a whole burst in order when the socket had room, however large (the kernel takes it)', async () => {
    const { box, written, counters } = outbox({ slowBytes: 10, maxBytes: 1000 });
    for (let i = 0; i < 50; i++) box.update('AAPL', f(`aapl-${i}`));
    await turn();
    assert.equal(written[0].length, 50);
    assert.equal(counters.updatesConflated, 0);
  });

  it('past the bytes one turn may bring, cuts the queued updates to the latest per stream where the first stood, never across a reply', async () => {
    const { box, written, counters } = outbox({ slowBytes: 1, maxBytes: 20 });
    box.update('AAPL', f('aapl-1'));
    box.reply(f('snapshot'));
    box.update('GOOG', f('goog-1'));
    box.update('AAPL', f('aapl-2'));
    box.update('AAPL', f('aapl-3'));
    assert.equal(box.isBehind, true);
    await turn();
    assert.deepEqual(written, [['aapl-1', 'snapshot', 'goog-1', 'aapl-3']]);
    assert.equal(counters.updatesConflated, 1);
    assert.equal(box.isBehind, false);
  });

  it('writes nothing while the socket holds more than the bound, then the latest per stream once it drains', async () => {
    const { box, written, socket, drain } = outbox();
    socket.bufferedAmount = 500;
    box.update('AAPL', f('a1'));
    box.update('AAPL', f('a2'));
    await turn();
    assert.deepEqual(written, []);
    box.update('AAPL', f('a3'));
    box.reply(f('pong'));
    socket.bufferedAmount = 0;
    drain();
    await turn();
    assert.deepEqual(written, [['a3', 'pong']]);
    box.update('AAPL', f('a4'));
    box.update('AAPL', f('a5'));
    await turn();
    assert.deepEqual(written.at(-1), ['a4', 'a5']);
  });

  it('closes a client for whom Node holds more than the hard limit, and writes nothing more', async () => {
    const { box, written, socket } = outbox();
    socket.bufferedAmount = 2000;
    box.reply(f('snapshot'));
    await turn();
    assert.equal(socket.closedAsTooSlow, 1);
    box.reply(f('late'));
    await turn();
    assert.deepEqual(written, []);
  });

  it('drops what is queued when the session closes before the turn ends, or the socket closed meanwhile', async () => {
    const first = outbox();
    first.box.update('AAPL', f('a1'));
    first.box.close();
    await turn();
    assert.deepEqual(first.written, []);

    const second = outbox();
    second.box.update('AAPL', f('a1'));
    second.socket.open = false;
    await turn();
    second.socket.open = true;
    second.box.update('AAPL', f('a2'));
    await turn();
    assert.deepEqual(second.written, []);
  });

  it('conflates no update across a reply: an update after a resubscribe never lands before the unsubscribe (reordering)', async () => {
    const { box, written, socket, drain } = outbox();
    socket.bufferedAmount = 500;
    box.update('AAPL', f('aapl-5'));
    await turn();
    box.reply(f('unsubscribed'));
    box.reply(f('subscribed'));
    box.reply(f('snapshot-6'));
    box.update('AAPL', f('aapl-7'));
    box.update('AAPL', f('aapl-8'));
    socket.bufferedAmount = 0;
    drain();
    await turn();
    assert.deepEqual(written, [['aapl-5', 'unsubscribed', 'subscribed', 'snapshot-6', 'aapl-8']]);
  });

  it("writes no more outboxes once the turn's delivery budget is spent; the rest go first next turn, and fan-out waits for them", async () => {
    let time = 0;
    const turnBudget = new DeliveryTurn(10, { now: () => time });
    const writer = new OutboxWriter(turnBudget);
    const order: string[] = [];
    const clients = [0, 1, 2].map((i) => outbox({ slowBytes: 100, maxBytes: 1000 }, writer, () => ((time += 6), order.push(`c${i}`))));
    clients.forEach(({ box }, i) => box.update('AAPL', f(`a${i}`)));
    await turn();
    assert.deepEqual(order, ['c0', 'c1'], 'two writes of 6 ms spend the 10 ms budget');
    assert.equal(turnBudget.writesLeft, true);
    assert.equal(turnBudget.mayFanOut(), false);
    clients[0].box.update('AAPL', f('a0-2'));
    await turn();
    assert.deepEqual(order, ['c0', 'c1', 'c2', 'c0'], 'the one left is written first');
    assert.equal(turnBudget.writesLeft, false);
    assert.deepEqual(clients[0].written, [['a0'], ['a0-2']]);
  });
});
