import { Inject, Injectable } from '@nestjs/common';
import { redisConfig, type RedisConfig } from '#app/config';
import { isCluster, REDIS_CLIENT, type RedisClient } from '#app/redis';
import { StateKeys } from './state-keys.js';

const RUN_ID = `local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')`;
/** The server's run_id and whether the state key holds it. */
const READ_STATE_LUA = `${RUN_ID}
return { runId, redis.call('GET', KEYS[1]) == runId and 1 or 0 }`;
/** Marks the data whole in this run, unless the server is no longer in the run the rebuild began in. */
const MARK_WHOLE_LUA = `${RUN_ID}
if runId ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], runId)
return 1`;

/** The run_id of the server of each slot, as read when a rebuild begins. */
export type RunIds = (slot: number) => string;

/**
 * Whether Redis holds the whole state the processor wrote. A server's run_id changes with every start,
 * so a state key that holds the current run_id says the data was written, or rebuilt, in this run; any
 * restart (from an AOF up to a second behind, or empty) and any promoted replica (replication is
 * asynchronous) makes it stale. The quote script refuses live writes while it is (STORE_QUOTES_LUA).
 */
@Injectable()
export class RedisState {
  private readonly keys: StateKeys;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) config: Pick<RedisConfig, 'keyPrefix'>,
  ) {
    this.keys = new StateKeys(config.keyPrefix, isCluster(redis));
  }

  /** The current run of every slot's server, and whether every slot's data is whole in it. */
  async read(): Promise<{ runIds: RunIds; whole: boolean }> {
    const all = this.keys.all();
    const replies = (await Promise.all(all.map(({ key }) => this.redis.eval(READ_STATE_LUA, 1, key)))) as Array<[string, number]>;
    const bySlot = new Map(all.map(({ slot }, i) => [slot, replies[i][0]]));
    return { runIds: (slot) => bySlot.get(slot) ?? '', whole: replies.every((reply) => Number(reply[1]) === 1) };
  }

  /** Marks every slot whole in its run; false if any server left the run the rebuild read (lost again). */
  async markWhole(runIds: RunIds): Promise<boolean> {
    const all = this.keys.all();
    const replies = await Promise.all(all.map(({ slot, key }) => this.redis.eval(MARK_WHOLE_LUA, 1, key, runIds(slot))));
    return replies.every((reply) => Number(reply) === 1);
  }
}
