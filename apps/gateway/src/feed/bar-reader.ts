import { Inject, Injectable } from '@nestjs/common';
import { barsKey, type Bar, type BarInterval } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT, type RedisClient } from '#app/redis';
import { seqOf } from './server-frames.js';

/** Reads the bars the processor keeps per symbol and interval (sorted sets of Bar JSON by start). */
@Injectable()
export class BarReader {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  /** The current (latest) bar JSON of each symbol that has one, with its seq, in one round trip per node. */
  async current(interval: BarInterval, symbols: string[]): Promise<Array<{ symbol: string; seq: number; json: string }>> {
    if (symbols.length === 0) return [];
    const replies = await Promise.all(symbols.map((symbol) => this.redis.zrange(barsKey(this.config.keyPrefix, interval, symbol), '-1', '-1')));
    const bars: Array<{ symbol: string; seq: number; json: string }> = [];
    replies.forEach((members, i) => {
      const json = members[0];
      if (json) bars.push({ symbol: symbols[i], seq: seqOf(json), json });
    });
    return bars;
  }

  /**
   * A symbol's bars by start ascending, for the REST API, in one command. With `from`: the first `limit`
   * bars starting in [from, to]; otherwise the last `limit` bars starting at or before `to` (the latest
   * bars without `to`).
   */
  async range(symbol: string, interval: BarInterval, query: { from?: number; to?: number; limit: number }): Promise<Bar[]> {
    const key = barsKey(this.config.keyPrefix, interval, symbol);
    const { from, to, limit } = query;
    const latestFirst = from === undefined;
    const members = latestFirst
      ? await this.redis.zrange(key, String(to ?? '+inf'), '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit)
      : await this.redis.zrange(key, from, String(to ?? '+inf'), 'BYSCORE', 'LIMIT', 0, limit);
    if (latestFirst) members.reverse();
    return members.map((json) => JSON.parse(json) as Bar);
  }
}
