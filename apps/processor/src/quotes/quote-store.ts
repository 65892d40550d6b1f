import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BAR_INTERVAL_NAMES, BAR_INTERVALS, barChannel, barsKey, historyKey, quoteChannel, quoteKey, type Quote } from '#app/contracts';
import { processorConfig, redisConfig, type ProcessorConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT } from '#app/redis';
import { STORE_QUOTES_LUA } from './store-quotes.lua.js';

type StoreQuotesCommand = (keyCount: number, ...keysThenArgs: Array<string | number>) => Promise<number>;

/**
 * The latest quote per symbol in Redis, with its bounded history and its 1-second and 1-minute bars:
 * a batch of quotes stored, recorded and published in one round trip (see STORE_QUOTES_LUA).
 */
@Injectable()
export class QuoteStore implements OnModuleInit {
  private storeQuotes!: StoreQuotesCommand;
  private readonly header: Array<string | number>;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
    @Inject(processorConfig.KEY) processor: Pick<ProcessorConfig, 'history' | 'barRetentionMs'>,
  ) {
    this.header = [config.quoteTtlMs, processor.history.maxPerSymbol, processor.history.maxAgeMs, BAR_INTERVAL_NAMES.length];
    for (const name of BAR_INTERVAL_NAMES) this.header.push(name, BAR_INTERVALS[name], processor.barRetentionMs[name]);
  }

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
    const prefix = this.config.keyPrefix;
    const bySymbol = new Map<string, Quote[]>();
    for (const quote of quotes) {
      const list = bySymbol.get(quote.symbol);
      if (list) list.push(quote);
      else bySymbol.set(quote.symbol, [quote]);
    }
    const keys: string[] = [];
    const args: Array<string | number> = [...this.header];
    for (const [symbol, list] of bySymbol) {
      keys.push(quoteKey(prefix, symbol), historyKey(prefix, symbol));
      args.push(symbol, quoteChannel(prefix, symbol));
      for (const name of BAR_INTERVAL_NAMES) {
        keys.push(barsKey(prefix, name, symbol));
        args.push(barChannel(prefix, name, symbol));
      }
      args.push(list.length);
      for (const quote of list) args.push(String(quote.seq), JSON.stringify(quote), quote.price, quote.volume, quote.timestamp);
    }
    return this.storeQuotes(keys.length, ...keys, ...args);
  }
}
