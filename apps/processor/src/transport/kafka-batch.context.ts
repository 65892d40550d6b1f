import { BaseRpcContext } from '@nestjs/microservices';
import type { EachBatchPayload } from 'kafkajs';

/** How often a batch heartbeats while it awaits something slow; kafkajs sends one per heartbeat interval at most. */
const KEEP_ALIVE_EVERY_MS = 1000;

/** One record of a batch: its offset and key, the raw value, and the value as Nest's Kafka parser decodes it. */
export interface KafkaRecord {
  offset: string;
  key: Buffer | null;
  raw: Buffer | null;
  /** A parsed JSON object or array, else the string (or, for a schema-prefixed value, the Buffer). */
  value: unknown;
}

/** When the batch reached the processor (epoch ms with sub-millisecond steps), for the tick trace. */
export interface BatchTimes {
  /** kafkajs' fetch that brought it returned. */
  fetchedAt: number;
  /** kafkajs handed the partition batch to the server. */
  startedAt: number;
}

/**
 * The context of a handler given a whole partition batch: where it came from, and the two things a
 * batch handler must do as it goes: resolve the offset of each record it has finished (kafkajs commits
 * resolved offsets only), and heartbeat so a long batch does not cost the group membership.
 */
export class KafkaBatchContext extends BaseRpcContext<[EachBatchPayload, BatchTimes]> {
  get times(): BatchTimes {
    return this.args[1];
  }

  getTopic(): string {
    return this.args[0].batch.topic;
  }

  getPartition(): number {
    return this.args[0].batch.partition;
  }

  /** Marks the records up to and including `offset` done: the position kafkajs commits next. */
  resolveOffset(offset: string): void {
    this.args[0].resolveOffset(offset);
  }

  heartbeat(): Promise<void> {
    return this.args[0].heartbeat();
  }

  /**
   * Awaits `work` while heartbeating, so that a slow write (a dead-letter send kafkajs is retrying)
   * does not cost the group membership. A failed heartbeat (the group rebalancing) is not thrown from
   * here: the next awaited heartbeat() reports it, between two writes.
   */
  async keepAlive<T>(work: Promise<T>): Promise<T> {
    const timer = setInterval(() => void this.heartbeat().catch(() => undefined), KEEP_ALIVE_EVERY_MS);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  /** False once the consumer is stopping or the partition was taken away: leave the rest unresolved. */
  isActive(): boolean {
    const payload = this.args[0];
    return payload.isRunning() && !payload.isStale();
  }
}
