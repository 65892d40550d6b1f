import { Injectable, Logger } from '@nestjs/common';

/**
 * starting: connecting and joining the group, first or after kafkajs restarts a crashed consumer.
 * running: a member of the group, fetching. crashed: kafkajs gave up and will not restart it; only a
 * restart of the processor brings it back. stopped: the processor is shutting down.
 */
export type ConsumerState = 'starting' | 'running' | 'crashed' | 'stopped';

export interface ConsumerReport {
  state: ConsumerState;
  /** Why the consumer is not running. */
  reason?: string;
  /** Records behind the partitions' high watermarks, as of each assigned partition's last batch. */
  lag: number;
  /** Time since the last batch that was handled in full, while there is lag (null: none yet). */
  lastBatchAgeMs?: number | null;
}

/**
 * The kafkajs consumer's life as readiness reports it, fed by KafkaBatchServer from the consumer's
 * events (group join, crash) and from each batch handled. kafkajs emits STOP on the way to a crash
 * restart too, so "stopped" comes from the server's own close, not from that event. kafkajs logs the
 * crashes and restarts themselves.
 */
@Injectable()
export class ConsumerStatus {
  private readonly logger = new Logger(ConsumerStatus.name);
  private current: ConsumerState = 'starting';
  private reason?: string = 'joining the group';
  private lastBatchAt?: number;
  /** Lag per `topic[partition]` of the assigned partitions, as of their last batch. */
  private readonly lag = new Map<string, number>();

  get state(): ConsumerState {
    return this.current;
  }

  joined(assignment: Readonly<Record<string, readonly number[]>>): void {
    if (this.current === 'stopped') return;
    this.current = 'running';
    this.reason = undefined;
    const assigned = new Set(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}[${p}]`)));
    for (const key of this.lag.keys()) if (!assigned.has(key)) this.lag.delete(key);
  }

  crashed(error: Error, restart: boolean): void {
    if (this.current === 'stopped') return;
    const what = `${error.name}: ${error.message}`;
    if (restart) {
      this.current = 'starting';
      this.reason = `kafkajs is restarting the consumer after ${what}`;
    } else {
      this.current = 'crashed';
      this.reason = `the consumer crashed and kafkajs will not restart it (${what}); restart the processor`;
      this.logger.error(this.reason);
    }
  }

  stopped(): void {
    this.current = 'stopped';
    this.reason = 'the processor is shutting down';
  }

  batchDone(topic: string, partition: number, lag: number, now = Date.now()): void {
    this.lastBatchAt = now;
    this.lag.set(`${topic}[${partition}]`, lag);
  }

  report(now = Date.now()): ConsumerReport {
    let lag = 0;
    for (const behind of this.lag.values()) lag += behind;
    const report: ConsumerReport = { state: this.current, lag };
    if (this.reason) report.reason = this.reason;
    if (lag > 0) report.lastBatchAgeMs = this.lastBatchAt === undefined ? null : now - this.lastBatchAt;
    return report;
  }
}
