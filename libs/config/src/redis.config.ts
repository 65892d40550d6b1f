import { registerAs } from '@nestjs/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';

export class RedisEnv {
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must look like redis://host:port[/db]' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9:._-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold letters, digits and : . _ - (at most 64)' })
  REDIS_KEY_PREFIX: string = 'watchlist:';

  @IsInt() @Min(1) @Max(30 * 86_400)
  QUOTE_TTL_SECONDS: number = 86_400;
}

export const redisConfig = registerAs('redis', () => {
  const env = validateEnv(RedisEnv);
  return {
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    quoteTtlMs: env.QUOTE_TTL_SECONDS * 1000,
  };
});
export type RedisConfig = ReturnType<typeof redisConfig>;
