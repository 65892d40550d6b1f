import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisConfig } from '#app/config';
import type { RedisClient } from '#app/redis';
import { HistoryReader } from '../../apps/gateway/src/feed/history-reader.js';
import { ProcessorDouble } from '../support/processor-double.js';
import { REDIS_URL } from '../support/system.js';

const SYMBOL = 'AAPL';

/**
 * A Redis client whose reads of a history stream's oldest entry are followed at once by a trim of that
 * stream (what the processor's MAXLEN and age trim do while a recovery reads): every other read of the
 * stream waits for the trim, so it lands between the reads, whatever their order on the wire. A read
 * in one MULTI is not affected (its commands are not split), as it should be.
 */
function trimmingAfterOldestRead(redis: Redis, minSeq: number): Redis {
  let trimmed!: () => void;
  const trim = new Promise<void>((resolve) => (trimmed = resolve));
  return new Proxy(redis, {
    get(target, property, receiver) {
      if (property !== 'xrange') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (key: string, start: string, ...rest: Array<string | number>) => {
        if (start !== '-') {
          await trim;
          return target.xrange(key, start, ...(rest as [string]));
        }
        const oldest = await target.xrange(key, start, ...(rest as [string]));
        await target.xtrim(key, 'MINID', `${minSeq}-0`);
        trimmed();
        return oldest;
      };
    },
  });
}

describe('recovery with since while history is trimmed', () => {
  let redis: Redis;
  const prefix = `t${randomUUID().slice(0, 8)}:`;

  before(async () => {
    redis = new Redis(REDIS_URL);
    const double = new ProcessorDouble(redis, prefix);
    for (let seq = 100; seq <= 200; seq++) await double.store(ProcessorDouble.quote(SYMBOL, seq));
  });

  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers recovered:false with the latest quote, or a replay without a hole, never recovered:true with a hole', async () => {
    const since = 150;
    const client = trimmingAfterOldestRead(redis, 170) as unknown as RedisClient;
    const reader = new HistoryReader(client, { keyPrefix: prefix } as RedisConfig);

    const [result] = await reader.missedSince(new Map([[SYMBOL, since]]));

    const seqs = result.missed.map((q) => q.seq);
    if (result.recovered) {
      const expected = Array.from({ length: 200 - since }, (_, i) => since + 1 + i);
      assert.deepEqual(seqs, expected, `recovered:true replays ${seqs.length} quotes from ${seqs[0]} to ${seqs.at(-1)} after since=${since}`);
    } else {
      assert.equal(result.latest?.seq, 200, 'not recovered: the snapshot carries the latest quote');
    }
  });
});
