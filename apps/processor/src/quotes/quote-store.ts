import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { quoteChannel, quoteKey, type Quote } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT } from '#app/redis';
import { STORE_QUOTE_LUA } from './store-quote.lua.js';

type StoreQuoteCommand = (key: string, seq: number, json: string, ttlMs: number, channel: string) => Promise<number>;

/** The latest quote per symbol in Redis, stored and published in one round trip. */
@Injectable()
export class QuoteStore implements OnModuleInit {
  private storeQuote!: StoreQuoteCommand;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  onModuleInit() {
    this.redis.defineCommand('storeQuote', { numberOfKeys: 1, lua: STORE_QUOTE_LUA });
    const command = (this.redis as unknown as { storeQuote: StoreQuoteCommand }).storeQuote;
    this.storeQuote = command.bind(this.redis);
  }

  /** True when the quote was newer than the stored one and is now stored and published. */
  async save(quote: Quote): Promise<boolean> {
    const { keyPrefix, quoteTtlMs } = this.config;
    const stored = await this.storeQuote(
      quoteKey(keyPrefix, quote.symbol),
      quote.seq,
      JSON.stringify(quote),
      quoteTtlMs,
      quoteChannel(keyPrefix, quote.symbol),
    );
    return stored === 1;
  }
}
