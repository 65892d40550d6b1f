import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { metrics } from '../support/metrics.js';
import { System } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'META', 'NVDA', 'NFLX'];
const CLIENTS = 600;
const GAUGES = ['gateway_connections', 'gateway_subscriptions', 'gateway_channels'];

/** Connects, subscribes to two symbols and goes away at once, in one of the ways a real client does. */
function churn(url: string, i: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const done = () => resolve();
    socket.once('close', done);
    socket.once('error', done);
    socket.once('open', () => {
      const symbols = [SYMBOLS[i % SYMBOLS.length], SYMBOLS[(i + 3) % SYMBOLS.length]];
      socket.send(JSON.stringify({ action: 'subscribe', payload: { symbols } }));
      if (i % 3 === 0) socket.terminate();
      else if (i % 3 === 1) socket.close();
      else socket.once('message', () => socket.close());
    });
  });
}

describe('connection churn against the real gateway', () => {
  let system: System;

  before(async () => {
    // Every client comes from 127.0.0.1: lift the per-address caps, so each of them really subscribes.
    system = await System.start({ SYMBOLS: SYMBOLS.join(','), TICK_INTERVAL_MS: '20', WS_MAX_CONNECTIONS_PER_IP: '10000', WS_ADDRESS_RATE_LIMIT_BURST: '10000' });
  }, { timeout: 120_000 });

  after(async () => {
    await system?.stop();
  }, { timeout: 60_000 });

  it(`${CLIENTS} clients that subscribe and close at once leave no connection, subscription or Redis channel behind`, { timeout: 120_000 }, async (t) => {
    const gateway = system.apps.gateway!;
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => churn(system.wsUrl, i)));
    const left = await waitUntil(
      'every gauge back at zero',
      async () => {
        const values = await metrics(gateway.port, GAUGES);
        return Object.values(values).every((v) => v === 0) && values;
      },
      { timeoutMs: 20_000, state: () => metrics(gateway.port, GAUGES) },
    );
    t.diagnostic(`after churn: ${JSON.stringify(left)}`);

    const client = await TestClient.connect(system.wsUrl);
    try {
      client.send({ action: 'subscribe', payload: { symbols: ['AAPL', 'NVDA'] } });
      await client.expect('subscribed');
      await client.expect('snapshot');
      await waitUntil('updates for both symbols after the churn', () => new Set(client.updates().map((u) => u.payload.symbol)).size === 2, { timeoutMs: 10_000 });
      assert.deepEqual(await metrics(gateway.port, GAUGES), { gateway_connections: 1, gateway_subscriptions: 2, gateway_channels: 2 });
    } finally {
      client.close();
    }
  });
});
