import { Inject, Injectable } from '@nestjs/common';
import { quoteKey, type Quote } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT, type RedisClient } from '#app/redis';

/**
 * Reads the latest stored quotes (the snapshot a client gets when it subscribes) in one round trip per
 * Redis node: one command per symbol, written together by ioredis's auto-pipelining (see createRedisClient).
 */
@Injectable()
export class QuoteReader {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  async latest(symbols: string[]): Promise<Quote[]> {
    if (symbols.length === 0) return [];
    const replies = await Promise.all(symbols.map((symbol) => this.redis.hget(quoteKey(this.config.keyPrefix, symbol), 'json')));
    const quotes: Quote[] = [];
    for (const json of replies) if (typeof json === 'string') quotes.push(JSON.parse(json) as Quote);
    return quotes;
  }
}
