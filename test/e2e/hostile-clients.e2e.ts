import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import type { Quote } from '#app/contracts';
import { rawUpgrade, textFrame } from '../support/raw-websocket.js';
import { System } from '../support/system.js';
import { upgradeStatus } from '../support/upgrade-status.js';
import { TestClient } from '../support/ws-client.js';

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

describe('hostile and careless clients against the real gateway', () => {
  const systems: System[] = [];
  const start = async (env: Record<string, string>, apps?: Parameters<typeof System.start>[1]) => {
    const system = await System.start(env, apps);
    systems.push(system);
    return system;
  };
  after(async () => {
    await Promise.all(systems.map((s) => s.stop()));
  });

  it('drops a client that stops answering heartbeats and keeps one that answers', async () => {
    const system = await start({ WS_HEARTBEAT_INTERVAL_MS: '300' }, ['gateway']);
    const healthy = await TestClient.connect(system.wsUrl);
    const silent = await rawUpgrade(system.apps.gateway!.port);
    const dropped = new Promise<number>((resolve) => {
      const began = Date.now();
      silent.once('close', () => resolve(Date.now() - began));
    });
    silent.resume();
    const ms = await Promise.race([dropped, sleep(5000).then(() => -1)]);
    assert.ok(ms > 0, 'the silent client was dropped within 5 s');
    assert.equal(healthy.socket.readyState, WebSocket.OPEN, 'the client that answers pings stays');
    healthy.send({ action: 'ping' });
    await healthy.expect('pong');
    assert.ok((await metric(system.apps.gateway!.port, 'gateway_heartbeat_timeouts_total')) >= 1);
    healthy.close();
  });

  it('refuses connections past WS_MAX_CONNECTIONS_PER_IP with HTTP 429', async () => {
    const system = await start({ WS_MAX_CONNECTIONS_PER_IP: '2' }, ['gateway']);
    const a = await TestClient.connect(system.wsUrl);
    const b = await TestClient.connect(system.wsUrl);
    assert.equal(await upgradeStatus(system.wsUrl), 429);
    a.close();
    await a.closed;
    await sleep(100);
    assert.equal(await upgradeStatus(system.wsUrl), 101, 'a slot frees up when a connection closes');
    b.close();
  });

  it('checks an API key at the upgrade: 401 without or with a wrong one, open with a right one', async () => {
    const system = await start({ WS_AUTH_MODE: 'api-key', WS_API_KEYS: 'k-one,k-two' }, ['gateway']);
    assert.equal(await upgradeStatus(system.wsUrl), 401);
    assert.equal(await upgradeStatus(system.wsUrl, { 'x-api-key': 'k-three' }), 401);
    assert.equal(await upgradeStatus(system.wsUrl, { 'x-api-key': 'k-two' }), 101);
    assert.equal(await upgradeStatus(`${system.wsUrl}?apiKey=k-one`), 101);
    assert.equal((await system.apps.gateway!.health()).status, 200, 'health stays open to orchestrators');
  });

  it('checks an HS256 JWT at the upgrade: expired, forged or missing tokens get 401', async () => {
    const secret = 'a-test-secret-that-is-long-enough-123456';
    const system = await start({ WS_AUTH_MODE: 'jwt', WS_JWT_SECRET: secret }, ['gateway']);
    const key = new TextEncoder().encode(secret);
    const valid = await new SignJWT({ sub: 'trader-1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key);
    const expired = await new SignJWT({ sub: 'trader-1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key);
    const forged = await new SignJWT({ sub: 'trader-1' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(40)));
    assert.equal(await upgradeStatus(system.wsUrl), 401);
    assert.equal(await upgradeStatus(system.wsUrl, { authorization: `Bearer ${expired}` }), 401);
    assert.equal(await upgradeStatus(system.wsUrl, { authorization: `Bearer ${forged}` }), 401);
    assert.equal(await upgradeStatus(system.wsUrl, { authorization: `Bearer ${valid}` }), 101);
    assert.equal(await upgradeStatus(`${system.wsUrl}?token=${valid}`), 101);
  });

  it('cuts off a client that never reads (1013, or dropped at the heartbeat) without slowing the others or growing without bound', async () => {
    // The stalled client cannot answer the heartbeat's ping; if its socket's buffers filled first, it is
    // closed with 1013 (its updates conflated meanwhile), else dropped as a dead connection.
    const system = await start({
      TICK_INTERVAL_MS: '2',
      WS_SLOW_CLIENT_BUFFER_BYTES: '262144',
      WS_MAX_CLIENT_BUFFER_BYTES: '1048576',
      WS_HEARTBEAT_INTERVAL_MS: '1000',
    });
    const port = system.apps.gateway!.port;
    const symbols = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];
    const reader = await TestClient.connect(system.wsUrl);
    reader.send({ action: 'subscribe', payload: { symbols } });
    await reader.expect('subscribed');

    const stalled = await rawUpgrade(port);
    stalled.write(textFrame(JSON.stringify({ action: 'subscribe', payload: { symbols } })));
    stalled.pause();

    const deadline = Date.now() + 60_000;
    const cutOff = async () => (await metric(port, 'gateway_slow_clients_closed_total')) + (await metric(port, 'gateway_heartbeat_timeouts_total'));
    while ((await cutOff()) < 1) {
      assert.ok(Date.now() < deadline, 'the stalled client was cut off within 60 s');
      await sleep(250);
    }
    const seen = reader.received.length;
    await reader.next((m) => m.type === 'update' && reader.received.indexOf(m) > seen + 50);
    assert.equal(reader.socket.readyState, WebSocket.OPEN, 'the reading client is still served');
    const updates = reader.updates().map((u) => u.payload as Quote);
    for (const symbol of symbols) {
      const seqs = updates.filter((q) => q.symbol === symbol).map((q) => q.seq);
      seqs.forEach((seq, i) => i > 0 && assert.equal(seq, seqs[i - 1] + 1, `${symbol}: a reading client misses no update`));
    }
    while ((await metric(port, 'gateway_connections')) !== 1) {
      assert.ok(Date.now() < deadline + 5000, 'the stalled connection is cut off, not kept');
      await sleep(100);
    }
    stalled.destroy();
    reader.close();
  });

  it('exposes Prometheus metrics on every app', async () => {
    const system = await start({});
    const expected: Record<string, string[]> = {
      generator: ['generator_ticks_produced_total', 'generator_ticks_failed_total', 'nodejs_eventloop_lag_seconds'],
      processor: ['processor_ticks_consumed_total', 'processor_ticks_stored_total', 'processor_ticks_dead_lettered_total', 'processor_consumer_lag'],
      gateway: ['gateway_connections', 'gateway_subscriptions', 'gateway_messages_sent_total', 'gateway_rate_limited_total'],
    };
    await sleep(1500);
    for (const [name, metrics] of Object.entries(expected)) {
      const app = system.apps[name as keyof typeof system.apps]!;
      for (const m of metrics) assert.ok(Number.isFinite(await metric(app.port, m)), `${name} exposes ${m}`);
    }
    assert.ok((await metric(system.apps.generator!.port, 'generator_ticks_produced_total')) > 0);
    assert.ok((await metric(system.apps.processor!.port, 'processor_ticks_stored_total')) > 0);
  });
});
