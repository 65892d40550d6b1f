import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerMessage } from '#app/contracts';
import { ProcessorDouble } from '../support/processor-double.js';
import { ProxiedGateway } from '../support/proxied-gateway.js';
import { assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import type { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'GOOG', 'MSFT'];

/** A frame as the contract names it: type, error code, symbols, and the snapshot's quotes by symbol and seq. */
function described(m: ServerMessage): string {
  switch (m.type) {
    case 'error':
      return `error ${m.payload.code} [${m.payload.symbols ?? ''}]`;
    case 'snapshot':
      return `snapshot [${m.payload.quotes.map((q) => `${q.symbol}@${q.seq}`).sort()}]`;
    case 'subscribed':
      return `subscribed [${m.payload.symbols}]`;
    case 'update':
      return `update ${m.payload.symbol}@${m.payload.seq}`;
    default:
      return m.type;
  }
}

async function firstFrames(client: TestClient, count: number): Promise<string[]> {
  const frames: string[] = [];
  for (let i = 0; i < count; i++) frames.push(described(await client.next(() => true, 5000)));
  return frames;
}

/**
 * `ws://host/ws?symbols=AAPL,GOOG` subscribes during the upgrade: `subscribed` and the snapshot are
 * the first frames, before any update; invalid and unknown symbols there are answered as a subscribe
 * message would answer them. The message-based subscribe stays.
 */
describe('snapshot at connect (?symbols=)', () => {
  let system: ProxiedGateway;
  const connect = (query = '') => system.connect(query);

  before(async () => {
    system = await ProxiedGateway.start({ SYMBOLS: SYMBOLS.join(',') }, async (double) => {
      await double.store(ProcessorDouble.quote('AAPL', 100));
      await double.store(ProcessorDouble.quote('GOOG', 200));
    });
  }, { timeout: 90_000 });

  after(() => system?.stop(), { timeout: 30_000 });

  it('sends subscribed, then the snapshot of those symbols, before any update', { timeout: 30_000 }, async () => {
    const client = await connect('?symbols=AAPL,GOOG');
    // Published as the socket opens: the snapshot may hold it or not, but no update comes before the snapshot.
    await system.processor.publish(ProcessorDouble.quote('AAPL', 101));
    const [subscribed, snapshot] = await firstFrames(client, 2);
    assert.equal(subscribed, 'subscribed [AAPL,GOOG]');
    assert.match(snapshot, /^snapshot \[AAPL@10[01],GOOG@200\]$/);
    await system.processor.publish(ProcessorDouble.quote('AAPL', 102));
    await client.next((m) => m.type === 'update' && m.payload.seq === 102);
    assertStrictlyIncreasing(seqsSeenBy(client), 'the client');
  });

  it('answers invalid and unknown symbols exactly as a subscribe message does', { timeout: 30_000 }, async () => {
    const requested = ['BAD$', 'NOPE', 'goog'];
    const byMessage = await connect();
    byMessage.send({ action: 'subscribe', payload: { symbols: requested } });
    const expected = await firstFrames(byMessage, 4);
    assert.deepEqual(expected, ['error INVALID_SYMBOL [BAD$]', 'error UNKNOWN_SYMBOL [NOPE]', 'subscribed [GOOG]', 'snapshot [GOOG@200]'], 'the subscribe message');

    const atConnect = await connect(`?symbols=${requested.map(encodeURIComponent).join(',')}`);
    assert.deepEqual(await firstFrames(atConnect, 4), expected, 'the same symbols at connect');
  });

  it('keeps the message-based subscribe on a socket that subscribed at connect', { timeout: 30_000 }, async () => {
    const client = await connect('?symbols=AAPL');
    const [subscribed] = await firstFrames(client, 2);
    assert.equal(subscribed, 'subscribed [AAPL]');
    client.send({ action: 'subscribe', payload: { symbols: ['GOOG'] } });
    await client.next((m) => m.type === 'snapshot' && m.payload.quotes.some((q) => q.symbol === 'GOOG'));
  });
});
