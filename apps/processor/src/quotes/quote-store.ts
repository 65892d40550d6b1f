import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BAR_INTERVAL_NAMES, BAR_INTERVALS, barChannel, barsKey, historyKey, quoteChannel, quoteKey, type Quote } from '#app/contracts';
import { processorConfig, redisConfig, type ProcessorConfig, type RedisConfig } from '#app/config';
import { isCluster, REDIS_CLIENT, slotOf, type RedisClient } from '#app/redis';
import { StateKeys } from '../rebuild/state-keys.js';
import { epochNow, TickTrace } from '../trace/tick-trace.js';
import { STORE_QUOTES_LUA } from './store-quotes.lua.js';

const STORE_QUOTES_SHA = createHash('sha1').update(STORE_QUOTES_LUA).digest('hex');

/** Quotes per script call at most when batches are merged: bounds how long one call holds Redis. */
export const MAX_QUOTES_PER_CALL = 500;

/** A symbol whose own keys refused its quotes (see STORE_QUOTES_LUA): none of them was stored. */
export interface RefusedSymbol {
  symbol: string;
  /** Redis's error, e.g. the XADD of a history stream whose last ID is ahead, or WRONGTYPE. */
  reason: string;
}

/** What became of a caller's quotes: how many were stored and published (the rest were stale or refused). */
export interface SaveResult {
  fresh: number;
  refused: RefusedSymbol[];
}

/** A caller's batch waiting for the next write. */
interface PendingSave {
  quotes: readonly Quote[];
  resolve: (result: SaveResult) => void;
  reject: (err: unknown) => void;
}

/** A script call found that Redis does not hold the whole state in its current run (see STORE_QUOTES_LUA). */
export const isStateLost = (err: unknown): boolean => (err as Error | undefined)?.message?.startsWith('STATE_LOST') === true;

/** One symbol's quotes of one caller's batch: the unit the script stores and counts. */
interface Group {
  save: PendingSave;
  symbol: string;
  quotes: Quote[];
}

/**
 * The latest quote per symbol in Redis, with its bounded history and its 1-second and 1-minute bars:
 * batches of quotes stored, recorded and published by one script (see STORE_QUOTES_LUA).
 *
 * The batches handed over in one turn of the event loop (kafkajs hands the partitions of a fetch to
 * their handlers together) go to Redis in one script call, up to MAX_QUOTES_PER_CALL quotes a call:
 * per-hop timing at the default rate showed six calls a round, one per partition, each a round trip
 * the others queued behind, and six separate bursts of PUBLISH that the gateway wrote to every
 * client's socket one burst at a time. Merged, a round's quotes reach Redis, and the gateway, at once.
 */
@Injectable()
export class QuoteStore {
  private readonly header: Array<string | number>;
  private readonly cluster: boolean;
  private readonly stateKeys: StateKeys;
  private pending: PendingSave[] = [];
  private stateLostListener?: () => void;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(redisConfig.KEY) private readonly config: Pick<RedisConfig, 'keyPrefix' | 'quoteTtlMs'>,
    @Inject(processorConfig.KEY) processor: Pick<ProcessorConfig, 'history' | 'barRetentionMs'>,
    private readonly trace: TickTrace,
  ) {
    this.cluster = isCluster(redis);
    this.stateKeys = new StateKeys(config.keyPrefix, this.cluster);
    this.header = [this.cluster ? 'SPUBLISH' : 'PUBLISH', config.quoteTtlMs, processor.history.maxPerSymbol, processor.history.maxAgeMs];
    this.header.push(BAR_INTERVAL_NAMES.length);
    for (const name of BAR_INTERVAL_NAMES) this.header.push(name, BAR_INTERVALS[name], processor.barRetentionMs[name]);
  }

  /**
   * Stores and publishes, in order, the quotes newer than the stored one of their symbol; resolves with
   * how many that was and the symbols whose keys refused theirs, or rejects if a script call with any
   * of them failed (Redis down or refusing writes), once every call of the write has settled (so the
   * batch is settled before it is retried; the retry finds what went through stale).
   */
  saveAll(quotes: readonly Quote[]): Promise<SaveResult> {
    if (quotes.length === 0) return Promise.resolve({ fresh: 0, refused: [] });
    return new Promise((resolve, reject) => {
      this.pending.push({ quotes, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.writePending());
    });
  }

  /** Called whenever a live write fails with STATE_LOST: the rebuild listens. */
  onStateLost(listener: () => void): void {
    this.stateLostListener = listener;
  }

  /**
   * Stores the quotes of a replay from Kafka, in order, publishing nothing: each call fails with STATE_LOST
   * unless the server of its slot is still in the run `runIdOf` gives (the one the rebuild started in).
   * Not merged with live writes: the live ones fail until the rebuild is done anyway. A symbol whose keys
   * refuse a replayed tick is skipped here; the live path dead-letters it when it meets it.
   */
  async replay(quotes: readonly Quote[], runIdOf: (slot: number) => string): Promise<number> {
    if (quotes.length === 0) return 0;
    const save: PendingSave = { quotes, resolve: () => {}, reject: () => {} };
    let fresh = 0;
    for (const call of this.calls(this.groups([save]))) {
      const counts = await this.store(call, `REPLAY:${runIdOf(this.slotOfCall(call))}`);
      for (const count of counts) if (typeof count === 'number') fresh += count;
    }
    return fresh;
  }

  /** Every batch handed over settles, even if building the calls threw (a bug): never a batch left waiting. */
  private async writePending(): Promise<void> {
    const saves = this.pending;
    this.pending = [];
    try {
      await this.write(saves);
    } catch (err) {
      for (const save of saves) save.reject(err);
    }
  }

  /**
   * Writes the batches handed over since the last write: one script call per MAX_QUOTES_PER_CALL quotes,
   * and in a cluster per slot too (a script's keys must share one), all sent at once, each redirected
   * on its own after a failover. A caller's quotes of one symbol stay in one call, in order.
   */
  private async write(saves: PendingSave[]): Promise<void> {
    const calls = this.calls(this.groups(saves));
    const results = await Promise.allSettled(calls.map((call) => this.store(call, this.header[0] as string)));
    if (results.some((result) => result.status === 'rejected' && isStateLost(result.reason))) this.stateLostListener?.();
    const outcomes = new Map<PendingSave, SaveResult>(saves.map((save) => [save, { fresh: 0, refused: [] }]));
    const failed = new Map<PendingSave, unknown>();
    results.forEach((result, i) => {
      calls[i].forEach((group, g) => {
        if (result.status === 'rejected') {
          if (!failed.has(group.save)) failed.set(group.save, result.reason);
          return;
        }
        const answer = result.value[g];
        const outcome = outcomes.get(group.save)!;
        if (typeof answer === 'string') outcome.refused.push({ symbol: group.symbol, reason: answer });
        else outcome.fresh += Number(answer ?? 0);
      });
    });
    for (const save of saves) {
      if (failed.has(save)) save.reject(failed.get(save));
      else save.resolve(outcomes.get(save)!);
    }
  }

  private groups(saves: PendingSave[]): Group[] {
    const groups: Group[] = [];
    for (const save of saves) {
      const bySymbol = new Map<string, Quote[]>();
      for (const quote of save.quotes) {
        const list = bySymbol.get(quote.symbol);
        if (list) list.push(quote);
        else bySymbol.set(quote.symbol, [quote]);
      }
      for (const [symbol, list] of bySymbol) groups.push({ save, symbol, quotes: list });
    }
    return groups;
  }

  private slotOfCall(groups: readonly Group[]): number {
    return this.cluster ? slotOf(quoteKey(this.config.keyPrefix, groups[0].symbol)) : 0;
  }

  /** The groups cut into script calls: by slot in a cluster, then at MAX_QUOTES_PER_CALL quotes. */
  private calls(groups: Group[]): Group[][] {
    const bySlot = new Map<number, Group[]>();
    for (const group of groups) {
      const slot = this.cluster ? slotOf(quoteKey(this.config.keyPrefix, group.symbol)) : 0;
      const list = bySlot.get(slot);
      if (list) list.push(group);
      else bySlot.set(slot, [group]);
    }
    const calls: Group[][] = [];
    for (const slotGroups of bySlot.values()) {
      let call: Group[] = [];
      let size = 0;
      for (const group of slotGroups) {
        if (call.length > 0 && size + group.quotes.length > MAX_QUOTES_PER_CALL) {
          calls.push(call);
          call = [];
          size = 0;
        }
        call.push(group);
        size += group.quotes.length;
      }
      calls.push(call);
    }
    return calls;
  }

  /** One script call for `groups`: how many quotes of each group were fresh, or why its keys refused them. */
  private async store(groups: readonly Group[], publish: string): Promise<Array<number | string>> {
    const prefix = this.config.keyPrefix;
    const keys: string[] = [];
    const args: Array<string | number> = [...this.header];
    args[0] = publish;
    for (const { symbol, quotes } of groups) {
      keys.push(quoteKey(prefix, symbol), historyKey(prefix, symbol));
      args.push(symbol, quoteChannel(prefix, symbol));
      for (const name of BAR_INTERVAL_NAMES) {
        keys.push(barsKey(prefix, name, symbol));
        args.push(barChannel(prefix, name, symbol));
      }
      args.push(quotes.length);
      for (const quote of quotes) args.push(String(quote.seq), JSON.stringify(quote), quote.price, quote.volume, quote.timestamp);
    }
    keys.push(this.stateKeys.forSlot(this.slotOfCall(groups)));
    const sentAt = epochNow();
    const answer = await this.run(keys, args);
    this.traceCall(groups, sentAt, epochNow());
    return answer;
  }

  /** The trace's sent and stored stages, once per caller's batch in the call (its first quote). */
  private traceCall(groups: readonly Group[], sentAt: number, storedAt: number): void {
    let save: PendingSave | undefined;
    for (const group of groups) {
      if (group.save === save) continue;
      save = group.save;
      this.trace.observe('sent', group.quotes[0].timestamp, sentAt);
      this.trace.observe('stored', group.quotes[0].timestamp, storedAt);
    }
  }

  /**
   * EVALSHA, and EVAL where the node does not know the script yet (a fresh node, a promoted replica).
   * Not ioredis's defineCommand: its auto-pipelining (on for the single server) would group a script
   * call by its first argument, the key count, rather than by its first key.
   */
  private async run(keys: string[], args: Array<string | number>): Promise<Array<number | string>> {
    try {
      return (await this.redis.evalsha(STORE_QUOTES_SHA, keys.length, ...keys, ...args)) as Array<number | string>;
    } catch (err) {
      if (!(err as Error).message?.startsWith('NOSCRIPT')) throw err;
      return (await this.redis.eval(STORE_QUOTES_LUA, keys.length, ...keys, ...args)) as Array<number | string>;
    }
  }
}
