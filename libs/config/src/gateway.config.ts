import { registerAs } from '@nestjs/config';
import { IsInt, IsIP, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';

export class GatewayEnv {
  @IsInt() @Min(1) @Max(65_535)
  GATEWAY_PORT: number = 8081;

  @IsIP()
  GATEWAY_HOST: string = '0.0.0.0';

  /** Largest frame a client may send; a larger one closes the socket with 1009. */
  @IsInt() @Min(64) @Max(1_048_576)
  WS_MAX_FRAME_BYTES: number = 16_384;

  @IsInt() @Min(1) @Max(10_000)
  WS_MAX_SYMBOLS_PER_CONNECTION: number = 100;

  /** Client messages per second per connection, counted in Redis. */
  @IsInt() @Min(1) @Max(10_000)
  WS_RATE_LIMIT_PER_SECOND: number = 20;

  /** Rate-limited messages after which the connection is closed with 1008. */
  @IsInt() @Min(1) @Max(100_000)
  WS_RATE_LIMIT_STRIKES: number = 50;
}

export const gatewayConfig = registerAs('gateway', () => {
  const env = validateEnv(GatewayEnv);
  return {
    port: env.GATEWAY_PORT,
    host: env.GATEWAY_HOST,
    maxFrameBytes: env.WS_MAX_FRAME_BYTES,
    maxSymbolsPerConnection: env.WS_MAX_SYMBOLS_PER_CONNECTION,
    rateLimitPerSecond: env.WS_RATE_LIMIT_PER_SECOND,
    rateLimitStrikes: env.WS_RATE_LIMIT_STRIKES,
  };
});
export type GatewayConfig = ReturnType<typeof gatewayConfig>;
