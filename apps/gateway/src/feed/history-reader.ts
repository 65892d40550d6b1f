import { Inject, Injectable } from '@nestjs/common';
import { historyKey, quoteKey, type Quote } from '#app/contracts';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT, type RedisClient } from '#app/redis';

/** Most quotes one recovery replays; a client further behind than this gets the snapshot instead. */
export const MAX_REPLAY = 10_000;

/** What a client missed of one symbol since a seq, as the stored quote JSON in seq order. */
export interface MissedQuotes {
  symbol: string;
  /** True when history reached back to `since`: `missed` is then everything after it. */
  recovered: boolean;
  missed: Array<{ seq: number; json: string }>;
  /** The latest stored quote, for a snapshot when not recovered. */
  latest: Quote | null;
}

/** A page of a symbol's history: quotes in seq order, and whether nothing is missing before the first. */
export interface HistoryPage {
  quotes: Quote[];
  complete: boolean;
}

type StreamEntry = [id: string, fields: string[]];

/** Reads the per-symbol quote history (a Redis Stream keyed by seq) the processor appends to. */
@Injectable()
export class HistoryReader {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
  ) {}

  /**
   * For each symbol, the quotes after `since` and whether history still reaches back that far. History
   * reaches back when it holds `since` itself; that entry and everything after it are read in one XRANGE,
   * with the latest quote in the same MULTI, so a trim in between cannot leave a hole that reads as
   * recovered. One round trip per symbol, pipelined.
   */
  async missedSince(since: ReadonlyMap<string, number>): Promise<MissedQuotes[]> {
    if (since.size === 0) return [];
    const prefix = this.config.keyPrefix;
    const replies = await Promise.all(
      [...since].map(([symbol, seq]) =>
        this.redis
          .multi()
          .xrange(historyKey(prefix, symbol), `${seq}-0`, '+', 'COUNT', MAX_REPLAY + 1)
          .hget(quoteKey(prefix, symbol), 'json')
          .exec()
          .then((results) =>
            (results ?? []).map(([err, value]) => {
              if (err) throw err;
              return value;
            }) as [StreamEntry[], string | null],
          ),
      ),
    );
    const results: MissedQuotes[] = [];
    let i = 0;
    for (const [symbol, seq] of since) {
      const [entries, latestJson] = replies[i++];
      const latest = latestJson ? (JSON.parse(latestJson) as Quote) : null;
      const reachesBack = entries.length > 0 && seqOf(entries[0][0]) === seq;
      const missed = entries.filter(([id]) => seqOf(id) > seq).map(([id, fields]) => ({ seq: seqOf(id), json: fieldValue(fields, 'json') }));
      const upToDate = latest !== null && latest.seq <= seq;
      const recovered = upToDate || (reachesBack && missed.length < MAX_REPLAY);
      results.push({ symbol, recovered, missed: recovered ? missed : [], latest });
    }
    return results;
  }

  /**
   * A symbol's history for the REST API, in seq order, in one MULTI (a consistent view while the processor
   * appends and trims). With `since`: the first `limit` quotes after it; complete when history reaches
   * back to `since` itself, or nothing newer than `since` exists: the rule recovery over the socket uses
   * (seq jumps when the generator restarts, so seq `since + 1` being the oldest proves nothing). Without:
   * the last `limit` quotes; complete when history holds nothing older than the first of them.
   */
  async page(symbol: string, query: { since?: number; limit: number }): Promise<HistoryPage> {
    const key = historyKey(this.config.keyPrefix, symbol);
    const { since, limit } = query;
    const read = this.redis.multi().xrange(key, '-', '+', 'COUNT', 1);
    if (since === undefined) read.xrevrange(key, '+', '-', 'COUNT', limit);
    else read.xrange(key, `(${since}-0`, '+', 'COUNT', limit).hget(quoteKey(this.config.keyPrefix, symbol), 'json');
    const [oldest, entries, latestJson] = ((await read.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [StreamEntry[], StreamEntry[], string | null | undefined];
    if (since === undefined) entries.reverse();
    const quotes = entries.map(([, fields]) => JSON.parse(fieldValue(fields, 'json')) as Quote | null).filter((q) => q !== null);
    const oldestSeq = oldest.length > 0 ? seqOf(oldest[0][0]) : Infinity;
    if (since === undefined) return { quotes, complete: entries.length === 0 || oldestSeq === seqOf(entries[0][0]) };
    if (oldestSeq <= since) return { quotes, complete: true };
    const latestSeq = latestJson ? (JSON.parse(latestJson) as Quote).seq : -1;
    return { quotes, complete: entries.length === 0 && latestSeq <= since };
  }
}

function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

function fieldValue(fields: string[], name: string): string {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return 'null';
}
