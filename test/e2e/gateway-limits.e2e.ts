import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metric } from '../support/metrics.js';
import { System } from '../support/system.js';
import { TestClient } from '../support/ws-client.js';

describe('gateway limits on a real socket', () => {
  let system: System;

  before(async () => {
    system = await System.start(
      { WS_RATE_LIMIT_PER_SECOND: '5', WS_RATE_LIMIT_BURST: '5', WS_RATE_LIMIT_STRIKES: '10', WS_MAX_FRAME_BYTES: '1024', WS_MAX_SYMBOLS_PER_CONNECTION: '3' },
      ['gateway'],
    );
  });

  after(() => system?.stop());

  it("answers RATE_LIMITED past the connection's burst, in order, then closes with 1008 after repeated abuse", async () => {
    const client = await TestClient.connect(system.wsUrl);
    for (let i = 0; i < 30; i++) client.send({ action: 'ping' });
    const closed = await client.closed;
    assert.equal(closed.code, 1008);
    const pongs = client.received.filter((m) => m.type === 'pong').length;
    const limited = client.received.filter((m) => m.type === 'error' && m.payload.code === 'RATE_LIMITED').length;
    assert.ok(pongs >= 5 && pongs <= 10, `the burst of 5 and what refilled meanwhile, got ${pongs}`);
    assert.equal(limited, 10);
    const hints = client.received.flatMap((m) => (m.type === 'error' ? [m.payload.retryAfterMs] : []));
    assert.deepEqual(new Set(hints), new Set([200]), 'each refusal says when to ask again: a token of 5 per second');
  });

  it('keeps a client that stays within the limit', async () => {
    const client = await TestClient.connect(system.wsUrl);
    for (let i = 0; i < 3; i++) {
      client.send({ action: 'ping' });
      await client.expect('pong');
    }
    client.close();
  });

  it('closes the socket with 1009 when a frame exceeds WS_MAX_FRAME_BYTES', async () => {
    const client = await TestClient.connect(system.wsUrl);
    client.send({ action: 'subscribe', payload: { symbols: ['AAPL'], padding: 'x'.repeat(2000) } });
    assert.equal((await client.closed).code, 1009);
  });

  it('counts client socket errors in /metrics and sums them up in the log instead of a line each', async () => {
    const gateway = system.apps.gateway!;
    const before = await metric(gateway.port, 'gateway_client_socket_errors_total');
    const logFrom = gateway.output.length;
    for (let i = 0; i < 20; i++) {
      const client = await TestClient.connect(system.wsUrl);
      client.send({ action: 'ping', payload: { padding: 'x'.repeat(2000) } });
      assert.equal((await client.closed).code, 1009);
    }
    assert.equal((await metric(gateway.port, 'gateway_client_socket_errors_total')) - before, 20);
    const logged = gateway.output.slice(logFrom).split('\n').filter((line) => /Max payload size exceeded/.test(line));
    assert.ok(logged.length <= 2, `at most the first error and one summary, got ${logged.length} lines`);
  });

  it('refuses symbols beyond WS_MAX_SYMBOLS_PER_CONNECTION with TOO_MANY_SYMBOLS, keeping those it has', async () => {
    const client = await TestClient.connect(system.wsUrl);
    client.send({ action: 'subscribe', payload: { symbols: ['AAPL', 'MSFT'] } });
    await client.expect('subscribed');
    await client.expect('snapshot');
    client.send({ action: 'subscribe', payload: { symbols: ['GOOG', 'AMZN'] } });
    const error = await client.next((m) => m.type === 'error');
    assert.equal(error.type === 'error' && error.payload.code, 'TOO_MANY_SYMBOLS');
    client.send({ action: 'unsubscribe', payload: { symbols: ['MSFT'] } });
    await client.next((m) => m.type === 'unsubscribed');
    client.send({ action: 'subscribe', payload: { symbols: ['GOOG'] } });
    const ack = await client.next((m) => m.type === 'subscribed');
    assert.deepEqual(ack.type === 'subscribed' && ack.payload.symbols, ['GOOG']);
    client.close();
  });
});
