import { Inject, Injectable, Logger } from '@nestjs/common';
import { processorConfig, type ProcessorConfig } from '#app/config';

/** The wait before a failed partition is tried again; it doubles with each failure in a row... */
export const FIRST_RETRY_DELAY_MS = 200;
/** ...up to this, which bounds how long a partition stays paused once the cause has cleared. */
export const MAX_RETRY_DELAY_MS = 5000;

/** Stops and restarts the fetching of one partition: the kafkajs consumer, or a fake in specs. */
export interface PartitionControl {
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
}

/** A partition whose last batch failed, as readiness reports it. */
export interface FailingPartition {
  /** `topic[partition]` */
  partition: string;
  /** paused: waiting for its retry timer; retrying: fetching again, the next batch is the retry. */
  state: 'paused' | 'retrying';
  /** Failed attempts in a row. */
  failures: number;
  failingForMs: number;
  reason: string;
}

interface Failing {
  topic: string;
  partition: number;
  state: FailingPartition['state'];
  failures: number;
  since: number;
  reason: string;
  timer?: NodeJS.Timeout;
}

const label = (topic: string, partition: number) => `${topic}[${partition}]`;

/**
 * What happens to a partition whose batch failed for a reason that may pass (TransientBatchError):
 * it is paused at once (no fetching the same batch again in a tight loop), and a timer with back-off
 * resumes it; the batch kafkajs then fetches again, from the last offset done, is the retry. A batch
 * that succeeds makes the partition a flowing one again. Past PROCESSOR_RETRY_BUDGET failures in a row
 * the partition counts as stalled, and readiness says so with the reason.
 *
 * Per partition: flowing (not in the map) -> paused -> retrying -> flowing, or back to paused.
 * Every move happens in the methods below; a timer re-checks the state it fires into, because a
 * batch, a rebalance or a stop may have moved it since.
 */
@Injectable()
export class PartitionRetries {
  private readonly logger = new Logger(PartitionRetries.name);
  private readonly failing = new Map<string, Failing>();
  private readonly budget: number;
  private control?: PartitionControl;
  private stopped = false;

  constructor(@Inject(processorConfig.KEY) config: Pick<ProcessorConfig, 'retryBudget'>) {
    this.budget = config.retryBudget;
  }

  /** The consumer runs: pauses and resumes go to it from now on. */
  attach(control: PartitionControl): void {
    this.control = control;
  }

  /**
   * A batch of the partition is about to be handled. If the partition is paused, kafkajs forgot the
   * pause (it restarts a crashed consumer with none): this batch is the retry, and the timer goes.
   */
  batchStarted(topic: string, partition: number): void {
    const failing = this.failing.get(label(topic, partition));
    if (failing?.state !== 'paused') return;
    clearTimeout(failing.timer);
    failing.timer = undefined;
    failing.state = 'retrying';
  }

  batchSucceeded(topic: string, partition: number, now = Date.now()): void {
    const key = label(topic, partition);
    const failing = this.failing.get(key);
    if (!failing) return;
    clearTimeout(failing.timer);
    this.failing.delete(key);
    // A success while paused means two batches of one partition overlapped; never leave it paused.
    if (failing.state === 'paused' && !this.stopped) this.control?.resume(topic, partition);
    this.logger.log(`${key}: flowing again after ${failing.failures} failed attempt(s) over ${seconds(now - failing.since)}`);
  }

  batchFailed(topic: string, partition: number, reason: string, now = Date.now()): void {
    // Stopping: the partition goes to the next member of the group, which fetches it from the last commit.
    if (this.stopped) return;
    const key = label(topic, partition);
    let failing = this.failing.get(key);
    if (!failing) {
      failing = { topic, partition, state: 'paused', failures: 0, since: now, reason };
      this.failing.set(key, failing);
    }
    clearTimeout(failing.timer);
    failing.failures++;
    failing.reason = reason;
    failing.state = 'paused';
    this.control?.pause(topic, partition);
    const delay = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (failing.failures - 1));
    failing.timer = setTimeout(() => this.retry(key), delay);
    // STATE_LOST is the designed wait for the state check or rebuild, which logs for itself.
    if (failing.failures === 1 && reason.includes('STATE_LOST')) this.logger.log(`${key}: waiting for the Redis state check or rebuild, retrying in ${delay} ms`);
    else if (failing.failures === 1) this.logger.warn(`${key}: paused, retrying in ${delay} ms: ${reason}`);
    else if (failing.failures === this.budget) {
      this.logger.error(`${key}: still failing after ${failing.failures} attempts over ${seconds(now - failing.since)}, readiness is down: ${reason}`);
    } else this.logger.debug(`${key}: attempt ${failing.failures} failed, retrying in ${delay} ms: ${reason}`);
  }

  /**
   * The group gave this member its partitions (after joining, a rebalance or a restart). One that is
   * no longer ours is forgotten and resumed: kafkajs keeps a pause across assignments and would never
   * fetch that partition again if it came back. One still ours and paused is paused again, because a
   * restarted kafkajs consumer has forgotten it.
   */
  assigned(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [key, failing] of this.failing) {
      const { topic, partition } = failing;
      if (!assignment[topic]?.includes(partition)) {
        clearTimeout(failing.timer);
        this.failing.delete(key);
        if (!this.stopped) this.control?.resume(topic, partition);
        this.logger.log(`${key}: no longer assigned here, forgotten after ${failing.failures} failed attempt(s)`);
      } else if (failing.state === 'paused' && !this.stopped) {
        this.control?.pause(topic, partition);
      }
    }
  }

  /**
   * What the paused partitions failed on has passed (Redis was rebuilt from Kafka): each is retried now
   * rather than when its back-off timer (up to MAX_RETRY_DELAY_MS) fires. A failure again counts on.
   */
  retryAll(): void {
    for (const [key, failing] of this.failing) {
      clearTimeout(failing.timer);
      this.retry(key);
    }
  }

  /** The consumer is stopping: no timer fires into it any more, and nothing is paused or resumed. */
  stop(): void {
    this.stopped = true;
    for (const failing of this.failing.values()) {
      clearTimeout(failing.timer);
      failing.timer = undefined;
    }
  }

  /** Every partition whose last batch failed, oldest failure first. */
  failingPartitions(now = Date.now()): FailingPartition[] {
    return [...this.failing.entries()]
      .sort(([, a], [, b]) => a.since - b.since)
      .map(([key, f]) => ({ partition: key, state: f.state, failures: f.failures, failingForMs: now - f.since, reason: f.reason }));
  }

  /** The failing partitions that have used up the retry budget: the ones readiness reports. */
  stalledPartitions(now = Date.now()): FailingPartition[] {
    return this.failingPartitions(now).filter((f) => f.failures >= this.budget);
  }

  private retry(key: string): void {
    const failing = this.failing.get(key);
    if (!failing || failing.state !== 'paused' || this.stopped) return;
    failing.timer = undefined;
    failing.state = 'retrying';
    this.control?.resume(failing.topic, failing.partition);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
