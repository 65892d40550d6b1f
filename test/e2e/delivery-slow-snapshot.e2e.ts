import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quoteKey, type ServerMessage } from '#app/contracts';
import { ProcessorDouble } from '../support/processor-double.js';
import { ProxiedGateway } from '../support/proxied-gateway.js';
import { assertConsecutive, assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { waitUntil } from '../support/wait-until.js';

const HEALTHY = 'AAPL';
const SLOW = 'MSFT';
/** More updates than the session holds back today while a snapshot is read (MAX_HELD_UPDATES). */
const DURING_READ = 1200;

const hasSnapshotOf = (symbol: string) => (m: ServerMessage) => m.type === 'snapshot' && m.payload.quotes.some((q) => q.symbol === symbol);

/**
 * One symbol's snapshot read is slow (its Redis node answers late: the test holds back the replies
 * to the gateway's `commands` connection from the moment it asks for that symbol's quote), while the
 * client's other symbol keeps trading on the healthy feed. A slow stream must not stall the others.
 */
describe("a slow snapshot of one symbol and the client's other symbols", () => {
  let system: ProxiedGateway;

  before(async () => {
    system = await ProxiedGateway.start({ SYMBOLS: [HEALTHY, SLOW, 'GOOG'].join(',') }, async (double) => {
      await double.store(ProcessorDouble.quote(HEALTHY, 1000));
      await double.store(ProcessorDouble.quote(SLOW, 5000));
    });
  }, { timeout: 90_000 });

  after(() => system?.stop(), { timeout: 30_000 });

  it('keeps delivering every update of the healthy symbol, none skipped, while the slow one is read', { timeout: 60_000 }, async () => {
    const { proxy, processor } = system;
    const client = await system.connect();
    client.send({ action: 'subscribe', payload: { symbols: [HEALTHY] } });
    await client.next(hasSnapshotOf(HEALTHY));
    await processor.publish(ProcessorDouble.quote(HEALTHY, 1001));
    await client.next((m) => m.type === 'update' && m.payload.seq === 1001);

    const slowRead = proxy.holdAfterCommand(quoteKey(system.prefix, SLOW));
    let flowedDuringRead = false;
    try {
      client.send({ action: 'subscribe', payload: { symbols: [SLOW] } });
      await slowRead.caught;
      await processor.publishRange(HEALTHY, 1002, 1001 + DURING_READ);
      flowedDuringRead = await waitUntil(`${HEALTHY}'s updates during ${SLOW}'s read`, () => seqsSeenBy(client).get(HEALTHY)?.includes(1001 + DURING_READ), {
        timeoutMs: 5000,
      }).then(
        () => true,
        () => false,
      );
    } finally {
      slowRead.release();
    }
    await client.next(hasSnapshotOf(SLOW), 10_000);
    await waitUntil(`${HEALTHY}'s last update`, () => seqsSeenBy(client).get(HEALTHY)?.includes(1001 + DURING_READ), {
      timeoutMs: 10_000,
      state: () => seqsSeenBy(client).get(HEALTHY)?.slice(-3),
    });

    const seen = seqsSeenBy(client);
    assertStrictlyIncreasing(seen, 'the client');
    assertConsecutive(new Map([[HEALTHY, seen.get(HEALTHY)!]]), `the client, ${HEALTHY} around ${SLOW}'s slow snapshot`);
    assert.ok(flowedDuringRead, `${HEALTHY}'s updates waited for ${SLOW}'s snapshot read (held back 5 s by the test) instead of flowing on`);
  });
});
