import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeedOutbox } from './feed-outbox.js';

function outboxWith({ maxWaiting = 100 } = {}) {
  return { outbox: new FeedOutbox({ maxWaiting }) };
}

describe('FeedOutbox', () => {
  it('hands over every message in order while the gateway takes each batch', () => {
    const { outbox } = outboxWith();
    outbox.message('q:AAPL', '1');
    outbox.message('q:GOOG', '1');
    assert.deepEqual(outbox.take(), { events: ['q:AAPL', '1', 'q:GOOG', '1'], conflated: 0 });
    outbox.taken();
    outbox.message('q:AAPL', '2');
    assert.deepEqual(outbox.take(), { events: ['q:AAPL', '2'], conflated: 0 });
  });

  it('sends nothing while the last batch is not taken, and everything that waited once it is', () => {
    const { outbox } = outboxWith();
    outbox.message('q:AAPL', '1');
    assert.ok(outbox.take());
    outbox.message('q:AAPL', '2');
    outbox.message('q:AAPL', '3');
    assert.equal(outbox.take(), null);
    assert.equal(outbox.size, 2);
    outbox.taken();
    assert.deepEqual(outbox.take()?.events, ['q:AAPL', '2', 'q:AAPL', '3']);
  });

  it('has nothing to send when nothing waits', () => {
    const { outbox } = outboxWith();
    assert.equal(outbox.take(), null);
    outbox.message('q:AAPL', '1');
    assert.ok(outbox.take(), 'an empty take leaves no batch in flight');
  });

  it('past maxWaiting messages keeps the latest per channel, in the order they arrived, and counts the rest', () => {
    const { outbox } = outboxWith({ maxWaiting: 4 });
    outbox.message('q:X', '0');
    outbox.take();
    for (const [channel, seq] of [['q:AAPL', '1'], ['q:GOOG', '1'], ['q:AAPL', '2'], ['q:MSFT', '1'], ['q:GOOG', '2']]) outbox.message(channel, seq);
    assert.equal(outbox.size, 3);
    outbox.taken();
    assert.deepEqual(outbox.take(), { events: ['q:AAPL', '2', 'q:MSFT', '1', 'q:GOOG', '2'], conflated: 2 });
  });

  it('cuts nothing for a long wait alone: a stalled gateway thread gets every message once it takes them', async () => {
    const { outbox } = outboxWith({ maxWaiting: 100 });
    outbox.message('q:X', '0');
    outbox.take();
    outbox.message('q:AAPL', '1');
    await new Promise((resolve) => setTimeout(resolve, 30));
    outbox.message('q:AAPL', '2');
    outbox.taken();
    assert.deepEqual(outbox.take(), { events: ['q:AAPL', '1', 'q:AAPL', '2'], conflated: 0 });
  });

  it('counts each conflated message once, across several cuts before a batch is taken', () => {
    const { outbox } = outboxWith({ maxWaiting: 2 });
    outbox.message('q:X', '0');
    outbox.take();
    for (let seq = 1; seq <= 10; seq++) outbox.message('q:AAPL', String(seq));
    outbox.taken();
    // Cut at 3, 5, 7 and 9 (each time a third message waits); 10 came after the last cut.
    assert.deepEqual(outbox.take(), { events: ['q:AAPL', '9', 'q:AAPL', '10'], conflated: 8 });
  });

  it('keeps controls in their order and never moves a message before one', () => {
    const { outbox } = outboxWith({ maxWaiting: 3 });
    outbox.message('q:X', '0');
    outbox.take();
    outbox.message('q:AAPL', '1');
    outbox.control({ lost: null });
    outbox.control({ resubscribe: true });
    outbox.control({ reply: 7 });
    outbox.message('q:AAPL', '2');
    outbox.message('q:GOOG', '1');
    outbox.message('q:AAPL', '3');
    outbox.taken();
    assert.deepEqual(outbox.take(), {
      events: [{ lost: null }, { resubscribe: true }, { reply: 7 }, 'q:GOOG', '1', 'q:AAPL', '3'],
      conflated: 2,
    });
  });

  it('sends a control on its own', () => {
    const { outbox } = outboxWith();
    outbox.control({ reply: 1, error: 'Connection is closed.' });
    assert.deepEqual(outbox.take(), { events: [{ reply: 1, error: 'Connection is closed.' }], conflated: 0 });
  });
});
