import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { redisConfig, type RedisConfig } from '#app/config';
import { REDIS_CLIENT, type RedisClient } from '#app/redis';

const LEASE_MS = 15_000;
const RENEW_MS = 5000;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * Lets one processor at a time rebuild Redis: a key with this processor's id and an expiry, renewed while
 * the replay runs. A processor that dies leaves it to expire (LEASE_MS). A lease lost (expired during a
 * stall, or gone with a Redis restart) aborts the replay; the replay's own writes are fenced by the
 * server's run as well (STORE_QUOTES_LUA).
 */
@Injectable()
export class RebuildLease {
  private readonly key: string;
  private readonly owner = randomUUID();
  private renewal?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) config: Pick<RedisConfig, 'keyPrefix'>,
  ) {
    this.key = `${config.keyPrefix}rebuild-lease`;
  }

  async acquire(): Promise<boolean> {
    return (await this.redis.set(this.key, this.owner, 'PX', LEASE_MS, 'NX')) === 'OK';
  }

  /** A signal that aborts when `outer` does or when the lease cannot be renewed. */
  whileHeld(outer: AbortSignal): AbortSignal {
    const lost = new AbortController();
    clearInterval(this.renewal);
    this.renewal = setInterval(() => {
      this.redis.eval(RENEW_LUA, 1, this.key, this.owner, LEASE_MS).then(
        (held) => Number(held) === 1 || lost.abort(),
        () => {}, // Redis away: the replay's writes fail too
      );
    }, RENEW_MS);
    return AbortSignal.any([outer, lost.signal]);
  }

  async release(): Promise<void> {
    clearInterval(this.renewal);
    this.renewal = undefined;
    await this.redis.eval(RELEASE_LUA, 1, this.key, this.owner).catch(() => {});
  }
}
