import { availableParallelism } from 'node:os';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { parseAllowedOrigins } from './allowed-origins.js';
import { gatewayConfig, GatewayEnv } from './gateway.config.js';
import { MetricsEnv } from './metrics.config.js';
import { parseTrustedProxies } from './trusted-proxies.js';
import { ConfigValidationError, validateEnv } from './validate-env.js';

describe('gateway configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('reads WS_ALLOWED_ORIGINS as serialised origins, and * as any', () => {
    const { allowed, invalid } = parseAllowedOrigins(' https://App.example.com:443/ , http://localhost:5173,* ');
    assert.deepEqual([...allowed.origins], ['https://app.example.com', 'http://localhost:5173']);
    assert.equal(allowed.any, true);
    assert.deepEqual(invalid, []);
  });

  it('refuses origins a browser would never send', () => {
    const { invalid } = parseAllowedOrigins('app.example.com,https://a.example/path,ftp://a.example,https://u:p@a.example,https://a.example?x=1,null');
    assert.deepEqual(invalid, ['app.example.com', 'https://a.example/path', 'ftp://a.example', 'https://u:p@a.example', 'https://a.example?x=1', 'null']);
  });

  it('reads WS_TRUSTED_PROXIES as addresses and CIDR networks, refusing anything else', () => {
    const { networks, invalid } = parseTrustedProxies('10.0.0.0/8, 127.0.0.1, fd00::/8, ::1, 10.0.0.0/33, 10.0.0.0/, 300.1.1.1, proxy.local, 1.2.3.4/8/9, ::/129');
    assert.deepEqual(networks, [
      { network: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { network: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { network: 'fd00::', prefix: 8, family: 'ipv6' },
      { network: '::1', prefix: 128, family: 'ipv6' },
    ]);
    assert.deepEqual(invalid, ['10.0.0.0/33', '10.0.0.0/', '300.1.1.1', 'proxy.local', '1.2.3.4/8/9', '::/129']);
  });

  it('refuses to start with bad door settings, naming each', () => {
    Object.assign(process.env, { WS_ALLOWED_ORIGINS: 'https://ok.example,evil', WS_TRUSTED_PROXIES: 'lb.internal' });
    assert.throws(
      () => gatewayConfig(),
      (err: Error) => err instanceof ConfigValidationError && /WS_ALLOWED_ORIGINS: "evil"/.test(err.message) && /WS_TRUSTED_PROXIES: "lb.internal"/.test(err.message),
    );
  });

  it('validates the budgets, caps and flags', () => {
    const env = validateEnv(GatewayEnv, { WS_ADDRESS_RATE_LIMIT_PER_SECOND: '0.5', WS_REQUIRE_ORIGIN: 'true' });
    assert.equal(env.WS_ADDRESS_RATE_LIMIT_PER_SECOND, 0.5);
    assert.equal(env.WS_RATE_LIMIT_BURST, 20);
    assert.equal(env.WS_MAX_CONNECTIONS, 10_000);
    for (const [name, value] of [
      ['WS_ADDRESS_RATE_LIMIT_PER_SECOND', '0'],
      ['WS_ADDRESS_RATE_LIMIT_BURST', '0.5'],
      ['WS_RATE_LIMIT_BURST', 'lots'],
      ['WS_MAX_CONNECTIONS', '0'],
      ['WS_REQUIRE_ORIGIN', 'yes'],
    ]) {
      assert.throws(() => validateEnv(GatewayEnv, { [name]: value }), (err: Error) => err.message.includes(`${name}="${value}"`), name);
    }
  });

  it('runs one gateway process by default, one per core with GATEWAY_WORKERS=auto, and refuses anything but auto or 1-256', () => {
    delete process.env.GATEWAY_WORKERS;
    assert.equal(gatewayConfig().workers, 1);
    process.env.GATEWAY_WORKERS = 'auto';
    assert.equal(gatewayConfig().workers, availableParallelism());
    process.env.GATEWAY_WORKERS = '4';
    assert.equal(gatewayConfig().workers, 4);
    delete process.env.GATEWAY_WORKERS;
    for (const value of ['0', '257', '-1', '2.5', 'all', ' 2']) {
      assert.throws(() => validateEnv(GatewayEnv, { GATEWAY_WORKERS: value }), (err: Error) => err.message.includes('GATEWAY_WORKERS'), value);
    }
  });

  it('gives the typed config the JWT audience and issuer only when set', () => {
    Object.assign(process.env, { WS_JWT_AUDIENCE: 'watchlist' });
    delete process.env.WS_JWT_ISSUER;
    const { auth, requireOrigin } = gatewayConfig();
    assert.equal(auth.jwtAudience, 'watchlist');
    assert.equal(auth.jwtIssuer, undefined);
    assert.equal(requireOrigin, false);
  });

  it('leaves METRICS_PORT unset by default and refuses a port out of range', () => {
    assert.equal(validateEnv(MetricsEnv, {}).METRICS_PORT, undefined);
    assert.equal(validateEnv(MetricsEnv, { METRICS_PORT: '9464' }).METRICS_PORT, 9464);
    assert.throws(() => validateEnv(MetricsEnv, { METRICS_PORT: '70000' }), /METRICS_PORT="70000"/);
  });
});
