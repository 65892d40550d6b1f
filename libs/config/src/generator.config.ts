import { registerAs } from '@nestjs/config';
import { IsInt, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';

export class GeneratorEnv {
  @IsInt() @Min(1) @Max(65_535)
  GENERATOR_PORT: number = 8082;

  /** One round of ticks (every symbol) per interval. */
  @IsInt() @Min(1) @Max(3_600_000)
  TICK_INTERVAL_MS: number = 100;

  /** Ticks per symbol per round; raise it (with a short interval) for benchmark rates. */
  @IsInt() @Min(1) @Max(10_000)
  TICK_BURST: number = 1;
}

export const generatorConfig = registerAs('generator', () => {
  const env = validateEnv(GeneratorEnv);
  return { port: env.GENERATOR_PORT, tickIntervalMs: env.TICK_INTERVAL_MS, burst: env.TICK_BURST };
});
export type GeneratorConfig = ReturnType<typeof generatorConfig>;
