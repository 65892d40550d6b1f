import assert from 'node:assert/strict';
import type { AppProcess } from './app-process.js';
import { startApp, System } from './system.js';
import { TestClient } from './ws-client.js';

/** A client to connect: to which of the two gateways, subscribed to which symbols. */
export interface Subscription {
  gateway: 0 | 1;
  symbols: string[];
}

export interface TwoOfEach {
  system: System;
  processors: AppProcess[];
  gateways: AppProcess[];
  /** One per subscription, in order, each past its snapshot. */
  clients: TestClient[];
}

/**
 * Two processors in one consumer group and two gateways on one env, and a client per subscription,
 * each subscribed and past its snapshot. No generator yet: the caller starts it once it watches.
 */
export async function startTwoOfEach(overrides: Record<string, string>, subscriptions: Subscription[]): Promise<TwoOfEach> {
  const system = await System.start(overrides, ['processor', 'gateway']);
  const setup: TwoOfEach = { system, processors: [system.apps.processor!], gateways: [system.apps.gateway!], clients: [] };
  try {
    setup.processors.push(await startApp('processor', system.env));
    setup.gateways.push(await startApp('gateway', system.env));
    assert.notEqual(setup.gateways[0].port, setup.gateways[1].port);
    for (const { gateway, symbols } of subscriptions) {
      const client = await TestClient.connect(`ws://127.0.0.1:${setup.gateways[gateway].port}/ws`);
      setup.clients.push(client);
      client.send({ action: 'subscribe', payload: { symbols } });
      await client.expect('subscribed');
      await client.expect('snapshot');
    }
  } catch (err) {
    await stopTwoOfEach(setup);
    throw err;
  }
  return setup;
}

/** Closes the clients and stops every app, the second processor and gateway too. */
export async function stopTwoOfEach(setup: TwoOfEach | undefined): Promise<void> {
  if (!setup) return;
  for (const client of setup.clients) client.close();
  await Promise.all([setup.system.stop(), setup.processors[1]?.stop(), setup.gateways[1]?.stop()]);
}
