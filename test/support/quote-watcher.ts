import { Redis } from 'ioredis';
import type { Quote } from '#app/contracts';

/**
 * Watches what the processor writes to Redis under one key prefix: every quote it publishes on the
 * symbol channels (in arrival order) and, on request, the quote stored per symbol.
 * Start it before the first tick is produced, or `published` misses the early ones.
 */
export class QuoteWatcher {
  /** Seqs published per symbol, in the order they arrived. */
  readonly published = new Map<string, number[]>();
  publishedCount = 0;

  private constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      const quote = JSON.parse(message) as Quote;
      let list = this.published.get(quote.symbol);
      if (!list) this.published.set(quote.symbol, (list = []));
      list.push(quote.seq);
      this.publishedCount++;
    });
  }

  static async start(redisUrl: string, prefix: string): Promise<QuoteWatcher> {
    const options = { maxRetriesPerRequest: 1, retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000) };
    const [commands, subscriber] = [new Redis(redisUrl, options), new Redis(redisUrl, options)];
    // A test may stop this Redis on purpose; ioredis reconnects (and re-subscribes) by itself.
    for (const connection of [commands, subscriber]) connection.on('error', () => undefined);
    const watcher = new QuoteWatcher(commands, subscriber, prefix);
    await watcher.subscriber.psubscribe(`${prefix}quotes:{*}`);
    return watcher;
  }

  /** The stored quote's seq per symbol (symbols with no stored quote are left out). */
  async storedSeqs(symbols: Iterable<string>): Promise<Map<string, number>> {
    const list = [...symbols];
    const seqs = await Promise.all(list.map((s) => this.commands.hget(`${this.prefix}quote:{${s}}`, 'seq')));
    return new Map(list.flatMap((s, i) => (seqs[i] === null ? [] : [[s, Number(seqs[i])] as [string, number]])));
  }

  /** True when every symbol's stored seq is the expected one. */
  async storedEqual(expected: ReadonlyMap<string, number>): Promise<boolean> {
    const stored = await this.storedSeqs(expected.keys());
    return [...expected].every(([symbol, seq]) => stored.get(symbol) === seq);
  }

  stop(): void {
    this.commands.disconnect();
    this.subscriber.disconnect();
  }
}
