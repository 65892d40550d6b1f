import { registerAs } from '@nestjs/config';
import { availableParallelism } from 'node:os';
import { IsIn, IsInt, IsIP, IsNumber, IsString, Matches, Max, Min } from 'class-validator';
import { parseAllowedOrigins } from './allowed-origins.js';
import { parseTrustedProxies } from './trusted-proxies.js';
import { ConfigValidationError, validateEnv } from './validate-env.js';

export const AUTH_MODES = ['none', 'api-key', 'jwt'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export class GatewayEnv {
  @IsInt() @Min(1) @Max(65_535)
  GATEWAY_PORT: number = 8081;

  @IsIP()
  GATEWAY_HOST: string = '0.0.0.0';

  /** Gateway processes serving GATEWAY_PORT together (node:cluster): a number from 1 to 256, or `auto` for one per core. */
  @Matches(/^(auto|[1-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-6])$/, { message: 'GATEWAY_WORKERS must be `auto` or a whole number from 1 to 256' })
  GATEWAY_WORKERS: string = '1';

  /** Largest frame a client may send; a larger one closes the socket with 1009. */
  @IsInt() @Min(64) @Max(1_048_576)
  WS_MAX_FRAME_BYTES: number = 16_384;

  @IsInt() @Min(1) @Max(10_000)
  WS_MAX_SYMBOLS_PER_CONNECTION: number = 100;

  /** Client messages per second per connection: the refill of its in-memory token bucket. */
  @IsInt() @Min(1) @Max(10_000)
  WS_RATE_LIMIT_PER_SECOND: number = 20;

  /** Messages a connection may send at once before WS_RATE_LIMIT_PER_SECOND applies. */
  @IsInt() @Min(1) @Max(100_000)
  WS_RATE_LIMIT_BURST: number = 20;

  /** Client messages per second per client address, over all gateways (a token bucket in Redis). */
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.01) @Max(1_000_000)
  WS_ADDRESS_RATE_LIMIT_PER_SECOND: number = 50;

  /** Messages one address may send at once over all its connections and gateways. */
  @IsInt() @Min(1) @Max(10_000_000)
  WS_ADDRESS_RATE_LIMIT_BURST: number = 500;

  /** Rate-limited messages after which the connection is closed with 1008. */
  @IsInt() @Min(1) @Max(100_000)
  WS_RATE_LIMIT_STRIKES: number = 50;

  /** Open connections per client address on this gateway; the next upgrade is refused with HTTP 429. */
  @IsInt() @Min(1) @Max(1_000_000)
  WS_MAX_CONNECTIONS_PER_IP: number = 100;

  /** Open connections on this gateway; the next upgrade is refused with HTTP 503. */
  @IsInt() @Min(1) @Max(10_000_000)
  WS_MAX_CONNECTIONS: number = 10_000;

  /** Origins (scheme://host[:port]) besides the page's own whose browsers may connect, or `*` for any. */
  @IsString()
  WS_ALLOWED_ORIGINS: string = '';

  /** true: refuse upgrades without an Origin header (non-browser clients) with 403. */
  @IsIn(['true', 'false'])
  WS_REQUIRE_ORIGIN: string = 'false';

  /** Proxies (IPs, CIDRs) whose X-Forwarded-For names the client; the peer address is used otherwise. */
  @IsString()
  WS_TRUSTED_PROXIES: string = '';

  /** The gateway pings every client this often and drops one that did not answer the previous ping. */
  @IsInt() @Min(100) @Max(600_000)
  WS_HEARTBEAT_INTERVAL_MS: number = 30_000;

  /** Bytes held for a client (its updates of this turn plus what Node's socket holds) past which its updates are conflated to the latest per stream until its socket drains. */
  @IsInt() @Min(1024) @Max(1_073_741_824)
  WS_SLOW_CLIENT_BUFFER_BYTES: number = 262_144;

  /** Bytes Node holds unsent for a client past which it is closed with 1013 (only replies and snapshots, never conflated, can get there). */
  @IsInt() @Min(1024) @Max(1_073_741_824)
  WS_MAX_CLIENT_BUFFER_BYTES: number = 4_194_304;

  /** none | api-key | jwt: checked at the upgrade, 401 before the socket opens. */
  @IsIn(AUTH_MODES)
  WS_AUTH_MODE: string = 'none';

  /** Comma-separated keys accepted in api-key mode (header x-api-key, or ?apiKey= for browsers). */
  @IsString()
  WS_API_KEYS: string = '';

  /** HS256 secret for jwt mode, at least 32 characters (Authorization: Bearer, or ?token=). */
  @IsString()
  WS_JWT_SECRET: string = '';

  /** jwt mode: when set, a token's `aud` must name it. */
  @IsString()
  WS_JWT_AUDIENCE: string = '';

  /** jwt mode: when set, a token's `iss` must equal it. */
  @IsString()
  WS_JWT_ISSUER: string = '';
}

export const gatewayConfig = registerAs('gateway', () => {
  const env = validateEnv(GatewayEnv);
  const apiKeys = env.WS_API_KEYS.split(',').map((k) => k.trim()).filter(Boolean);
  const origins = parseAllowedOrigins(env.WS_ALLOWED_ORIGINS);
  const proxies = parseTrustedProxies(env.WS_TRUSTED_PROXIES);
  const problems: string[] = [];
  if (origins.invalid.length > 0) {
    problems.push(`  WS_ALLOWED_ORIGINS: ${origins.invalid.map((o) => JSON.stringify(o)).join(', ')} not scheme://host[:port] (http or https, no path) or *`);
  }
  if (proxies.invalid.length > 0) {
    problems.push(`  WS_TRUSTED_PROXIES: ${proxies.invalid.map((p) => JSON.stringify(p)).join(', ')} not an IP address or CIDR network`);
  }
  if (env.WS_AUTH_MODE === 'api-key' && apiKeys.length === 0) problems.push('  WS_API_KEYS: api-key mode needs at least one key');
  if (env.WS_AUTH_MODE === 'jwt' && env.WS_JWT_SECRET.length < 32) problems.push('  WS_JWT_SECRET: jwt mode needs a secret of at least 32 characters');
  if (env.WS_MAX_CLIENT_BUFFER_BYTES <= env.WS_SLOW_CLIENT_BUFFER_BYTES) {
    problems.push('  WS_MAX_CLIENT_BUFFER_BYTES: must be larger than WS_SLOW_CLIENT_BUFFER_BYTES');
  }
  if (problems.length > 0) throw new ConfigValidationError(`Invalid environment configuration:\n${problems.join('\n')}`);
  return {
    port: env.GATEWAY_PORT,
    host: env.GATEWAY_HOST,
    workers: env.GATEWAY_WORKERS === 'auto' ? availableParallelism() : Number(env.GATEWAY_WORKERS),
    maxFrameBytes: env.WS_MAX_FRAME_BYTES,
    maxSymbolsPerConnection: env.WS_MAX_SYMBOLS_PER_CONNECTION,
    rateLimitPerSecond: env.WS_RATE_LIMIT_PER_SECOND,
    rateLimitBurst: env.WS_RATE_LIMIT_BURST,
    addressRateLimitPerSecond: env.WS_ADDRESS_RATE_LIMIT_PER_SECOND,
    addressRateLimitBurst: env.WS_ADDRESS_RATE_LIMIT_BURST,
    rateLimitStrikes: env.WS_RATE_LIMIT_STRIKES,
    maxConnectionsPerIp: env.WS_MAX_CONNECTIONS_PER_IP,
    maxConnections: env.WS_MAX_CONNECTIONS,
    allowedOrigins: origins.allowed,
    requireOrigin: env.WS_REQUIRE_ORIGIN === 'true',
    trustedProxies: proxies.networks,
    heartbeatIntervalMs: env.WS_HEARTBEAT_INTERVAL_MS,
    slowClientBufferBytes: env.WS_SLOW_CLIENT_BUFFER_BYTES,
    maxClientBufferBytes: env.WS_MAX_CLIENT_BUFFER_BYTES,
    auth: {
      mode: env.WS_AUTH_MODE as AuthMode,
      apiKeys,
      jwtSecret: env.WS_JWT_SECRET,
      jwtAudience: env.WS_JWT_AUDIENCE || undefined,
      jwtIssuer: env.WS_JWT_ISSUER || undefined,
    },
  };
});
export type GatewayConfig = ReturnType<typeof gatewayConfig>;
