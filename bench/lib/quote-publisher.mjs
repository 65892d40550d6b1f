// Publishes quote-shaped JSON on the symbols' Redis channels at a set rate, as the processor would,
// to drive a server's fan-out without the rest of the pipeline. `timestamp` is the publish time, so
// clients measure publish-to-arrival latency.
import { Redis } from 'ioredis';

const TICK_MS = 10;

export class QuotePublisher {
  constructor(redisUrl, prefix, symbols) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.channels = symbols.map((s) => `${prefix}quotes:{${s}}`);
    this.symbols = symbols;
    this.perSecond = 0;
    this.published = 0;
    this.next = 0;
    this.seq = Date.now() * 1000;
    this.credit = 0;
  }

  /** Publishes `perSecond` quotes a second, round robin over the symbols, in 10 ms rounds. */
  setRate(perSecond) {
    this.perSecond = perSecond;
    this.timer ??= setInterval(() => this.round(), TICK_MS);
  }

  round() {
    this.credit += (this.perSecond * TICK_MS) / 1000;
    const count = Math.floor(this.credit);
    if (count === 0) return;
    this.credit -= count;
    const pipeline = this.redis.pipeline();
    const timestamp = Date.now();
    for (let i = 0; i < count; i++) {
      const k = this.next++ % this.symbols.length;
      const quote = { symbol: this.symbols[k], price: 189.12, bid: 189.1, ask: 189.14, volume: 1234567, change: -0.38, changePercent: -0.2, timestamp, seq: ++this.seq };
      pipeline.publish(this.channels[k], JSON.stringify(quote));
    }
    this.published += count;
    void pipeline.exec().catch(() => undefined);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    this.redis.disconnect();
  }
}
