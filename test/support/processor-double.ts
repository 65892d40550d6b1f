import type { Redis } from 'ioredis';
import { barChannel, barsKey, historyKey, quoteChannel, quoteKey, type Bar, type BarInterval, type Quote } from '#app/contracts';

/**
 * The test playing the processor: it writes a symbol's keys and publishes its messages as
 * apps/processor's store script does (quote hash `json`, history entry `<seq>-0`, bar sorted set
 * scored by start, then PUBLISH), so the test decides the order of events the gateway sees.
 */
export class ProcessorDouble {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static quote(symbol: string, seq: number): Quote {
    const price = 100 + (seq % 100) / 10;
    return { symbol, price, bid: price - 0.01, ask: price + 0.01, volume: 1_000_000 + seq, change: 0.5, changePercent: 0.5, timestamp: Date.now(), seq };
  }

  /** Stores the quote (hash and history) without publishing it: what a snapshot or a recovery reads. */
  async store(quote: Quote): Promise<void> {
    await this.storing(this.redis.multi(), quote).exec();
  }

  /** Stores and publishes each quote in one MULTI, in order, as the store script does for a batch. */
  async publish(...quotes: Quote[]): Promise<void> {
    const multi = this.redis.multi();
    for (const quote of quotes) this.storing(multi, quote).publish(quoteChannel(this.prefix, quote.symbol), JSON.stringify(quote));
    await multi.exec();
  }

  /** Stores the symbol's quotes `from`..`to` and publishes them, a hundred per MULTI. */
  async publishRange(symbol: string, from: number, to: number): Promise<void> {
    for (let seq = from; seq <= to; seq += 100) {
      const quotes = [];
      for (let s = seq; s <= Math.min(to, seq + 99); s++) quotes.push(ProcessorDouble.quote(symbol, s));
      await this.publish(...quotes);
    }
  }

  /** The bar as the store script serialises it (the gateway reads its seq from the text). */
  static barJson(bar: Bar): string {
    const { symbol, interval, start, open, high, low, close, volume, ticks, seq, closed } = bar;
    return JSON.stringify({ symbol, interval, start, open, high, low, close, volume, ticks, seq, closed });
  }

  /** Makes `bar` the current bar of its start (replacing what that start held) without publishing it. */
  async storeBar(bar: Bar): Promise<void> {
    await this.storingBar(this.redis.multi(), bar).exec();
  }

  /** Stores each bar and publishes it on the bar channel, in order, in one MULTI. */
  async publishBars(...bars: Bar[]): Promise<void> {
    const multi = this.redis.multi();
    for (const bar of bars) this.storingBar(multi, bar).publish(barChannel(this.prefix, bar.interval, bar.symbol), ProcessorDouble.barJson(bar));
    await multi.exec();
  }

  private storing(multi: ReturnType<Redis['multi']>, quote: Quote): ReturnType<Redis['multi']> {
    const json = JSON.stringify(quote);
    return multi
      .hset(quoteKey(this.prefix, quote.symbol), 'seq', String(quote.seq), 'json', json, 'vol', String(quote.volume), 'ts', String(quote.timestamp))
      .xadd(historyKey(this.prefix, quote.symbol), `${quote.seq}-0`, 'json', json, 'ts', String(quote.timestamp));
  }

  private storingBar(multi: ReturnType<Redis['multi']>, bar: Bar): ReturnType<Redis['multi']> {
    const key = barsKey(this.prefix, bar.interval as BarInterval, bar.symbol);
    return multi.zremrangebyscore(key, bar.start, bar.start).zadd(key, bar.start, ProcessorDouble.barJson(bar));
  }
}
