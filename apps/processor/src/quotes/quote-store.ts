import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { quoteChannel, quoteKey, type Quote } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT } from '#app/redis';
import { STORE_QUOTES_LUA } from './store-quotes.lua.js';

type StoreQuotesCommand = (keyCount: number, ...keysThenArgs: Array<string | number>) => Promise<number>;

/** The latest quote per symbol in Redis: a batch of quotes stored and published in one round trip. */
@Injectable()
export class QuoteStore implements OnModuleInit {
  private storeQuotes!: StoreQuotesCommand;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  onModuleInit() {
    this.redis.defineCommand('storeQuotes', { lua: STORE_QUOTES_LUA });
    const command = (this.redis as unknown as { storeQuotes: StoreQuotesCommand }).storeQuotes;
    this.storeQuotes = command.bind(this.redis);
  }

  /**
   * Stores and publishes, in order, the quotes newer than the stored one of their symbol; resolves with
   * how many that was (the rest were stale). One EVALSHA for the whole batch: the profile of one per
   * quote was dominated by a socket write per quote.
   */
  async saveAll(quotes: readonly Quote[]): Promise<number> {
    if (quotes.length === 0) return 0;
    const { keyPrefix, quoteTtlMs } = this.config;
    const keys = new Array<string>(quotes.length);
    const args = new Array<string | number>(1 + quotes.length * 3);
    args[0] = quoteTtlMs;
    for (let i = 0; i < quotes.length; i++) {
      const quote = quotes[i];
      keys[i] = quoteKey(keyPrefix, quote.symbol);
      args[3 * i + 1] = quote.seq;
      args[3 * i + 2] = JSON.stringify(quote);
      args[3 * i + 3] = quoteChannel(keyPrefix, quote.symbol);
    }
    return this.storeQuotes(quotes.length, ...keys, ...args);
  }
}
