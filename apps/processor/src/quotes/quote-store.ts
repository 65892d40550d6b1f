import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BAR_INTERVAL_NAMES, BAR_INTERVALS, barChannel, barsKey, historyKey, quoteChannel, quoteKey, type Quote } from '#app/contracts';
import { processorConfig, redisConfig, type ProcessorConfig, type RedisConfig } from '#app/config';
import { isCluster, REDIS_CLIENT, slotOf, type RedisClient } from '#app/redis';
import { STORE_QUOTES_LUA } from './store-quotes.lua.js';

const STORE_QUOTES_SHA = createHash('sha1').update(STORE_QUOTES_LUA).digest('hex');

/**
 * The latest quote per symbol in Redis, with its bounded history and its 1-second and 1-minute bars:
 * a batch of quotes stored, recorded and published in one round trip (see STORE_QUOTES_LUA).
 */
@Injectable()
export class QuoteStore {
  private readonly header: Array<string | number>;
  private readonly cluster: boolean;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) private readonly config: Pick<RedisConfig, 'keyPrefix' | 'quoteTtlMs'>,
    @Inject(processorConfig.KEY) processor: Pick<ProcessorConfig, 'history' | 'barRetentionMs'>,
  ) {
    this.cluster = isCluster(redis);
    this.header = [this.cluster ? 'SPUBLISH' : 'PUBLISH', config.quoteTtlMs, processor.history.maxPerSymbol, processor.history.maxAgeMs];
    this.header.push(BAR_INTERVAL_NAMES.length);
    for (const name of BAR_INTERVAL_NAMES) this.header.push(name, BAR_INTERVALS[name], processor.barRetentionMs[name]);
  }

  /**
   * Stores and publishes, in order, the quotes newer than the stored one of their symbol; resolves with
   * how many that was (the rest were stale). One EVALSHA for the whole batch: the profile of one per
   * quote was dominated by a socket write per quote. In a cluster, one EVALSHA per slot (a script's
   * keys must share one), all sent at once, each redirected on its own after a failover. If one fails,
   * the others are still awaited, so the batch is settled before it is retried; the retry finds what
   * went through stale.
   */
  async saveAll(quotes: readonly Quote[]): Promise<number> {
    if (quotes.length === 0) return 0;
    const bySymbol = new Map<string, Quote[]>();
    for (const quote of quotes) {
      const list = bySymbol.get(quote.symbol);
      if (list) list.push(quote);
      else bySymbol.set(quote.symbol, [quote]);
    }
    if (!this.cluster) return this.store(bySymbol);
    const bySlot = new Map<number, Map<string, Quote[]>>();
    for (const [symbol, list] of bySymbol) {
      const slot = slotOf(quoteKey(this.config.keyPrefix, symbol));
      let group = bySlot.get(slot);
      if (!group) bySlot.set(slot, (group = new Map()));
      group.set(symbol, list);
    }
    const results = await Promise.allSettled([...bySlot.values()].map((group) => this.store(group)));
    let fresh = 0;
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      fresh += result.value;
    }
    return fresh;
  }

  private store(bySymbol: ReadonlyMap<string, readonly Quote[]>): Promise<number> {
    const prefix = this.config.keyPrefix;
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
    return this.run(keys, args);
  }

  /**
   * EVALSHA, and EVAL where the node does not know the script yet (a fresh node, a promoted replica).
   * Not ioredis's defineCommand: its auto-pipelining (on for the single server) would group a script
   * call by its first argument, the key count, rather than by its first key.
   */
  private async run(keys: string[], args: Array<string | number>): Promise<number> {
    try {
      return (await this.redis.evalsha(STORE_QUOTES_SHA, keys.length, ...keys, ...args)) as number;
    } catch (err) {
      if (!(err as Error).message?.startsWith('NOSCRIPT')) throw err;
      return (await this.redis.eval(STORE_QUOTES_LUA, keys.length, ...keys, ...args)) as number;
    }
  }
}
