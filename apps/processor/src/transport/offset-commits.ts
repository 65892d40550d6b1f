import { Logger } from '@nestjs/common';
import type { OffsetsByTopicPartition } from 'kafkajs';

/** A batch's handle on kafkajs' bookkeeping: its resolved offsets not yet committed, and a commit of them. */
export interface CommitSource {
  uncommittedOffsets(): OffsetsByTopicPartition;
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
}

/**
 * Commits the processor's resolved offsets every `intervalMs` instead of after every batch, as kafkajs
 * does with autoCommit on: at 1x the default rate that was six OffsetCommit round trips a round, one per
 * partition batch, each a request the broker appends to __consumer_offsets, on the two cores Kafka,
 * Redis and the apps share. kafkajs still tracks what is resolved (only what is in Redis), per
 * consumer-group generation, so a rebalance forgets the offsets of partitions this member lost.
 *
 * One commit at a time; a failed one (a rebalance, the coordinator moving) is logged and its offsets go
 * with the next. A crash loses at most the last interval's commits: those ticks are fetched again and
 * found stale (at-least-once). `flush()` commits what is left when the processor stops.
 */
export class OffsetCommits {
  private readonly logger = new Logger('OffsetCommits');
  private source?: CommitSource;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private closed = false;

  constructor(private readonly intervalMs: number) {}

  /** The latest batch's source: commits go through the consumer group it belongs to. */
  track(source: CommitSource): void {
    if (this.closed) return;
    this.source = source;
    this.timer ??= setInterval(() => void this.commit(), this.intervalMs).unref();
  }

  /** Stops the timer and commits what is resolved, once the commit in flight (if any) is done. */
  async flush(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.inFlight;
    await this.commit(true);
  }

  private commit(final = false): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const source = this.source;
    if (!source || (this.closed && !final)) return Promise.resolve();
    const offsets = source.uncommittedOffsets();
    if (offsets.topics.length === 0) return Promise.resolve();
    this.inFlight = source
      .commitOffsetsIfNecessary(offsets)
      .catch((err: Error) => this.logger.warn(`offset commit failed, retried with the next: ${err.name}: ${err.message}`))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
