import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { kafkaConfig, processorConfig, type KafkaConfig, type ProcessorConfig } from '#app/config';
import { KafkaAdmin } from '#app/kafka';
import { REDIS_CLIENT, type RedisClient } from '#app/redis';
import { PartitionRetries } from '../consumer/partition-retries.js';
import { QuoteStore } from '../quotes/quote-store.js';
import { RebuildLease } from './rebuild-lease.js';
import { RedisState } from './redis-state.js';
import { TickReplayer, type ReplayProgress } from './tick-replayer.js';

/**
 * checking: reading whether Redis holds the whole state. whole: it does; live writes go through.
 * rebuilding: replaying the retained ticks into Redis (live writes fail with STATE_LOST meanwhile and
 * their partitions retry). stopped: shutting down.
 */
export type RebuildState = 'checking' | 'whole' | 'rebuilding' | 'stopped';

const RETRY_MS = 1000;
/** Lets a spec retry at once. */
export const REBUILD_RETRY_MS = Symbol('REBUILD_RETRY_MS');

/**
 * Rebuilds Redis from Kafka when it has lost what the processor wrote (see RedisState), as Kafka Streams
 * rebuilds a state store from its changelog: the ticks of the longest Redis retention (history, bars)
 * are replayed through the same idempotent store step, without publishing, then the state is marked
 * whole and live writes resume. Checked at start (`start`), whenever the Redis connection is ready again, and
 * whenever a live write finds the state lost.
 *
 * One loop (`run`) moves between the states and every other method only asks it to run; after each
 * await it re-reads the state, since shutdown may have come meanwhile. A rebuild that finds Redis lost
 * again (its writes or its final mark fail: the server left the run it began in) starts over from the
 * beginning; one that finds the state whole (another processor rebuilt it) stops. Processors take turns
 * through a lease in Redis, so two replays never interleave a symbol's ticks out of order.
 */
@Injectable()
export class StateRebuild implements OnApplicationShutdown {
  private readonly logger = new Logger(StateRebuild.name);
  private current: RebuildState = 'checking';
  private running?: Promise<void>;
  private again = false;
  private retentionChecked = false;
  /** Attempts that failed in a row. */
  private failures = 0;
  private readonly stop = new AbortController();
  readonly progress: ReplayProgress & { startedAt?: number; attempts: number } = { replayed: 0, total: 0, attempts: 0 };
  private readonly windowMs: number;
  private readonly groupId: string;

  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafka: Pick<KafkaConfig, 'ticksTopic'>,
    @Inject(processorConfig.KEY) processor: Pick<ProcessorConfig, 'history' | 'barRetentionMs' | 'groupId'>,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly admin: KafkaAdmin,
    private readonly state: RedisState,
    private readonly lease: RebuildLease,
    private readonly replayer: TickReplayer,
    quotes: QuoteStore,
    private readonly retries: PartitionRetries,
    /** After a failed attempt (Redis or Kafka away, the lease held elsewhere), before the next. */
    @Optional() @Inject(REBUILD_RETRY_MS) private readonly retryMs = RETRY_MS,
  ) {
    this.windowMs = Math.max(processor.history.maxAgeMs, ...Object.values(processor.barRetentionMs));
    this.groupId = processor.groupId;
    quotes.onStateLost(() => this.request());
  }

  /** A method, not a comparison: the state changes across awaits, which narrowing does not see. */
  private get stopped(): boolean {
    return this.current === 'stopped';
  }

  get status(): RebuildState {
    return this.current;
  }

  /** Called once the ticks topic exists (reading offsets of a missing topic upsets the admin's topic creation). */
  start(): void {
    this.redis.on('ready', this.onReady);
    this.request();
  }

  async onApplicationShutdown(): Promise<void> {
    this.current = 'stopped';
    this.redis.off('ready', this.onReady);
    this.stop.abort();
    await this.running;
  }

  /** Whether Redis holds the whole state is (re)checked, and the state rebuilt if it does not. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => (this.running = undefined));
  }

  private readonly onReady = () => this.request();

  private async run(): Promise<void> {
    do {
      this.again = false;
      while (!this.stopped && !(await this.attempt())) {
        if (!this.stopped) await sleep(this.retryMs, undefined, { signal: this.stop.signal }).catch(() => {});
      }
    } while (this.again && !this.stopped);
  }

  /** One check, and one rebuild if needed: true when the state is whole (or the processor stops). */
  private async attempt(): Promise<boolean> {
    try {
      const { runIds, whole } = await this.state.read();
      if (this.stopped) return true;
      this.failures = 0;
      if (whole) {
        this.move('whole');
        return true;
      }
      // Redis can only have lost what the group committed: with nothing committed (a first start) the
      // live consumer reads the topic from its beginning, and there is nothing to put back first.
      if (!(await this.admin.hasCommitted(this.groupId, this.kafka.ticksTopic))) {
        if (!(await this.state.markWhole(runIds))) return false;
        this.logger.log('no offsets committed yet (a first start): Redis state starts whole, nothing to rebuild');
        this.move('whole');
        this.retries.retryAll();
        return true;
      }
      this.move('rebuilding');
      if (!(await this.lease.acquire())) return false;
      try {
        if (!this.retentionChecked) await this.checkRetention();
        const sinceMs = Date.now() - this.windowMs;
        const ranges = await this.admin.rangeSince(this.kafka.ticksTopic, sinceMs);
        this.progress.startedAt = Date.now();
        this.progress.attempts++;
        const ticks = ranges.reduce((sum, r) => sum + Math.max(0, Number(BigInt(r.end) - BigInt(r.start))), 0);
        // Nothing in Kafka to put back is a first start (or an idle topic), not a loss worth an alarm.
        const say = ticks > 0 ? this.logger.warn.bind(this.logger) : this.logger.log.bind(this.logger);
        say(`REDIS_STATE_LOST: Redis does not hold the whole state; replaying the ${ticks} ticks since ${new Date(sinceMs).toISOString()} from Kafka`);
        await this.replayer.replay(ranges, runIds, this.progress, this.lease.whileHeld(this.stop.signal));
        if (this.stopped) return true;
        if (!(await this.state.markWhole(runIds))) {
          this.logger.warn('Redis restarted during the rebuild; starting over');
          return false;
        }
      } finally {
        await this.lease.release();
      }
      this.logger.log(`rebuilt ${this.progress.replayed} ticks from Kafka in ${((Date.now() - this.progress.startedAt) / 1000).toFixed(1)} s`);
      this.move('whole');
      // The live partitions paused on STATE_LOST go on now, not when their back-off ends.
      this.retries.retryAll();
      return true;
    } catch (err) {
      // Once per series of failures (Redis or Kafka away fails every attempt until it is back).
      // A broker still booting answers with errors kafkajs calls retriable: expected, not an alarm.
      if (!this.stopped && this.failures++ === 0) {
        const say = (err as { retriable?: boolean }).retriable ? this.logger.log.bind(this.logger) : this.logger.warn.bind(this.logger);
        say(`rebuild attempt failed, retrying every ${this.retryMs} ms: ${(err as Error).message}`);
      }
      return this.stopped;
    }
  }

  private move(next: RebuildState): void {
    if (!this.stopped) this.current = next;
  }

  /** Ticks older than the topic keeps cannot be replayed: said once, at the first rebuild. */
  private async checkRetention(): Promise<void> {
    this.retentionChecked = true;
    try {
      const retentionMs = await this.admin.retentionMs(this.kafka.ticksTopic);
      if (retentionMs >= 0 && retentionMs < this.windowMs) {
        this.logger.warn(
          `KAFKA_RETENTION_TOO_SHORT: topic ${this.kafka.ticksTopic} keeps ticks for ${retentionMs / 1000} s, but Redis keeps history and bars for ` +
            `${this.windowMs / 1000} s; after a Redis loss only the last ${retentionMs / 1000} s can be rebuilt. Raise the topic's retention.ms ` +
            'or lower HISTORY_MAX_AGE_SECONDS / BARS_*_RETENTION_SECONDS.',
        );
      }
    } catch (err) {
      this.logger.warn(`could not read the retention of ${this.kafka.ticksTopic}: ${(err as Error).message}`);
    }
  }
}
