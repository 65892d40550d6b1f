import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { quoteKey, type Quote } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT } from '#app/redis';

/** Reads the latest stored quotes (the snapshot a client gets when it subscribes) in one round trip. */
@Injectable()
export class QuoteReader {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  async latest(symbols: string[]): Promise<Quote[]> {
    if (symbols.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const symbol of symbols) pipeline.hget(quoteKey(this.config.keyPrefix, symbol), 'json');
    const replies = (await pipeline.exec()) ?? [];
    const quotes: Quote[] = [];
    for (const [err, json] of replies) {
      if (err) throw err;
      if (typeof json === 'string') quotes.push(JSON.parse(json) as Quote);
    }
    return quotes;
  }
}
