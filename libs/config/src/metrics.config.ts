import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, IsIP, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';

export class MetricsEnv {
  /** Serve GET /metrics on this port instead of the app's own, so the public port does not expose it. */
  // The type is a union, so its metadata cannot tell class-transformer to convert: say it here.
  @Type(() => Number) @IsOptional() @IsInt() @Min(1) @Max(65_535)
  METRICS_PORT: number | undefined = undefined;

  /** The interface the separate metrics port listens on. */
  @IsIP()
  METRICS_HOST: string = '0.0.0.0';
}

export const metricsConfig = registerAs('metrics', () => {
  const env = validateEnv(MetricsEnv);
  /** null: /metrics is served on the app's own port, as without METRICS_PORT. */
  return { port: env.METRICS_PORT ?? null, host: env.METRICS_HOST };
});
export type MetricsConfig = ReturnType<typeof metricsConfig>;
