import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { ServerMessage } from '#app/contracts';
import { AppProcess, type AppName } from '../support/app-process.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv, startApp, System } from '../support/system.js';
import { upgradeStatus } from '../support/upgrade-status.js';
import { waitUntil } from '../support/wait-until.js';
import { TestClient } from '../support/ws-client.js';

const SECRET = 'a-test-secret-that-is-long-enough-123456';
const isRateLimited = (m: ServerMessage) => m.type === 'error' && m.payload.code === 'RATE_LIMITED';

/** Sends `count` pings and resolves with the pongs and RATE_LIMITED errors they were answered with, in order. */
async function pingAnswers(client: TestClient, count: number): Promise<string[]> {
  for (let i = 0; i < count; i++) client.send({ action: 'ping' });
  const answers: string[] = [];
  for (let i = 0; i < count; i++) {
    const m = await client.next((m) => m.type === 'pong' || isRateLimited(m));
    answers.push(m.type === 'error' ? m.payload.message : 'pong');
  }
  return answers;
}

describe("the gateway's door, against the real gateway and Redis over real sockets", () => {
  const systems: System[] = [];
  const extra: AppProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const system = await System.start(env, ['gateway']);
    systems.push(system);
    return system;
  };
  after(async () => {
    await Promise.all([...systems.map((s) => s.stop()), ...extra.map((a) => a.stop())]);
  });

  it('refuses a browser on a foreign Origin with 403 and lets the allowed and the own origin in', { timeout: 60_000 }, async () => {
    const system = await start({ WS_ALLOWED_ORIGINS: 'https://app.example.com', WS_REQUIRE_ORIGIN: 'true' });
    const own = `http://127.0.0.1:${system.apps.gateway!.port}`;
    assert.equal(await upgradeStatus(system.wsUrl, { origin: 'https://evil.example' }), 403);
    assert.equal(await upgradeStatus(system.wsUrl, { origin: 'null' }), 403);
    assert.equal(await upgradeStatus(system.wsUrl, { origin: 'https://app.example.com' }), 101);
    assert.equal(await upgradeStatus(system.wsUrl, { origin: own }), 101, 'the page the gateway serves');
    assert.equal(await upgradeStatus(system.wsUrl), 403, 'no Origin, with WS_REQUIRE_ORIGIN=true');
    const client = await TestClient.connect(system.wsUrl, { origin: 'https://app.example.com' });
    client.send({ action: 'ping' });
    await client.expect('pong');
    client.close();
  });

  it('believes X-Forwarded-For from a trusted proxy: the per-address cap and the logs use the client address', { timeout: 60_000 }, async () => {
    const system = await start({ WS_TRUSTED_PROXIES: '127.0.0.1', WS_MAX_CONNECTIONS_PER_IP: '1', WS_RATE_LIMIT_BURST: '1', WS_RATE_LIMIT_STRIKES: '2' });
    const forwarded = (address: string) => ({ 'x-forwarded-for': `198.51.100.1, ${address}` });
    const first = await TestClient.connect(system.wsUrl, { headers: forwarded('203.0.113.7') });
    assert.equal(await upgradeStatus(system.wsUrl, forwarded('203.0.113.7')), 429, 'the same client through the proxy');
    assert.equal(await upgradeStatus(system.wsUrl, forwarded('203.0.113.8')), 101, 'another client through the same proxy');
    for (let i = 0; i < 5; i++) first.send({ action: 'ping' });
    assert.equal((await first.closed).code, 1008);
    const gateway = system.apps.gateway!;
    await waitUntil('the close logged', () => gateway.output.includes('(203.0.113.7) closed for repeated rate limiting'), {
      timeoutMs: 5000,
      state: () => gateway.output.slice(-1000),
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', { timeout: 60_000 }, async () => {
    const system = await start({ WS_TRUSTED_PROXIES: '10.0.0.1', WS_MAX_CONNECTIONS_PER_IP: '1' });
    const first = await TestClient.connect(system.wsUrl, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    assert.equal(await upgradeStatus(system.wsUrl, { 'x-forwarded-for': '203.0.113.8' }), 429, 'both are 127.0.0.1, whatever they claim');
    first.close();
  });

  it('refuses upgrades past WS_MAX_CONNECTIONS with 503, whatever the address', { timeout: 60_000 }, async () => {
    const system = await start({ WS_MAX_CONNECTIONS: '2', WS_TRUSTED_PROXIES: '127.0.0.1' });
    const a = await TestClient.connect(system.wsUrl, { headers: { 'x-forwarded-for': '203.0.113.1' } });
    await TestClient.connect(system.wsUrl, { headers: { 'x-forwarded-for': '203.0.113.2' } });
    assert.equal(await upgradeStatus(system.wsUrl, { 'x-forwarded-for': '203.0.113.3' }), 503);
    a.close();
    await a.closed;
    await waitUntil('a place freed', async () => (await upgradeStatus(system.wsUrl, { 'x-forwarded-for': '203.0.113.3' })) === 101, { timeoutMs: 5000 });
  });

  it("shares one address's message budget between two gateways through Redis", { timeout: 60_000 }, async () => {
    const system = await start({ WS_ADDRESS_RATE_LIMIT_PER_SECOND: '0.01', WS_ADDRESS_RATE_LIMIT_BURST: '4' });
    const second = await startApp('gateway', system.env);
    extra.push(second);
    const one = await TestClient.connect(system.wsUrl);
    const two = await TestClient.connect(`ws://127.0.0.1:${second.port}/ws`);
    assert.deepEqual(await pingAnswers(one, 3), ['pong', 'pong', 'pong']);
    assert.deepEqual(await pingAnswers(two, 3), [
      'pong',
      'More than 0.01 messages per second from your address',
      'More than 0.01 messages per second from your address',
    ]);
    one.close();
    two.close();
  });

  it('refuses a JWT without exp with 401 and closes a socket with 4001 when its token expires', { timeout: 60_000 }, async () => {
    const system = await start({ WS_AUTH_MODE: 'jwt', WS_JWT_SECRET: SECRET, WS_JWT_AUDIENCE: 'watchlist' });
    const key = new TextEncoder().encode(SECRET);
    const sign = (exp?: number, aud = 'watchlist') => {
      const jwt = new SignJWT({ sub: 'trader-1' }).setProtectedHeader({ alg: 'HS256' }).setAudience(aud);
      return (exp === undefined ? jwt : jwt.setExpirationTime(exp)).sign(key);
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;
    assert.equal(await upgradeStatus(system.wsUrl, bearer(await sign())), 401, 'no exp');
    assert.equal(await upgradeStatus(system.wsUrl, bearer(await sign(inSeconds(300), 'billing'))), 401, 'another audience');
    const client = await TestClient.connect(system.wsUrl, { headers: bearer(await sign(inSeconds(2))) });
    client.send({ action: 'ping' });
    await client.expect('pong');
    assert.deepEqual(await client.closed, { code: 4001, reason: 'token expired' });
  });

  it('serves /metrics on METRICS_PORT for every app, and not on the public port', { timeout: 120_000 }, async () => {
    const env = isolatedEnv();
    for (const name of ['processor', 'gateway', 'generator'] as AppName[]) {
      const metricsPort = await freePort();
      const app = await startApp(name, { ...env, METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' });
      extra.push(app);
      const separate = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(separate.status, 200, name);
      assert.match(await separate.text(), new RegExp(`^${name}_`, 'm'), `${name} metrics on the separate port`);
      assert.equal((await fetch(`http://127.0.0.1:${app.port}/metrics`)).status, 404, `${name}: not on the public port`);
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status, 404, `${name}: only /metrics on the metrics port`);
    }
  });

  it('refuses to start on a bad door setting, naming it', { timeout: 60_000 }, async () => {
    const cases: Array<[AppName, Record<string, string>, RegExp]> = [
      ['gateway', { WS_ALLOWED_ORIGINS: 'app.example.com' }, /WS_ALLOWED_ORIGINS: "app.example.com"/],
      ['gateway', { WS_TRUSTED_PROXIES: '10.0.0.0/40' }, /WS_TRUSTED_PROXIES: "10.0.0.0\/40"/],
      ['gateway', { WS_MAX_CONNECTIONS: '0' }, /WS_MAX_CONNECTIONS="0"/],
      ['generator', { METRICS_PORT: 'ninety' }, /METRICS_PORT="ninety"/],
    ];
    for (const [name, env, named] of cases) {
      const { exit, output } = await AppProcess.run(name, isolatedEnv(env));
      assert.equal(exit.code, 1, `${name} with ${JSON.stringify(env)} exits 1`);
      assert.match(output, named, output);
    }
  });
});
