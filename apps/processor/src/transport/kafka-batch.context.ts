import { BaseRpcContext } from '@nestjs/microservices';
import type { EachBatchPayload } from 'kafkajs';

/** One record of a batch: its offset and key, the raw value, and the value as Nest's Kafka parser decodes it. */
export interface KafkaRecord {
  offset: string;
  key: Buffer | null;
  raw: Buffer | null;
  /** A parsed JSON object or array, else the string (or, for a schema-prefixed value, the Buffer). */
  value: unknown;
}

/**
 * The context of a handler given a whole partition batch: where it came from, and the two things a
 * batch handler must do as it goes: resolve the offset of each record it has finished (kafkajs commits
 * resolved offsets only), and heartbeat so a long batch does not cost the group membership.
 */
export class KafkaBatchContext extends BaseRpcContext<[EachBatchPayload]> {
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

  /** False once the consumer is stopping or the partition was taken away: leave the rest unresolved. */
  isActive(): boolean {
    const payload = this.args[0];
    return payload.isRunning() && !payload.isStale();
  }
}
