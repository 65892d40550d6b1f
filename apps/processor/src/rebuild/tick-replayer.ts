import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Kafka, type Consumer, type EachBatchPayload } from 'kafkajs';
import { checkTick, type Tick } from '#app/contracts';
import { kafkaConfig, processorConfig, type KafkaConfig, type ProcessorConfig } from '#app/config';
import { kafkaClientConfig } from '#app/kafka';
import { MAX_QUOTES_PER_CALL, QuoteStore } from '../quotes/quote-store.js';
import type { RunIds } from './redis-state.js';

/** One partition's records to replay: from `start` up to, not including, `end`. */
export interface ReplayRange {
  partition: number;
  start: string;
  end: string;
}

/** How far a replay has come, read by readiness while it runs. */
export interface ReplayProgress {
  replayed: number;
  total: number;
}

/**
 * Reads ranges of the ticks topic and stores their ticks through QuoteStore.replay (the live step, without
 * publishing), in order per partition, so in order per symbol. Its consumer is in a group of its own
 * that commits nothing: the live group's offsets and assignment stay as they are, and a rebalance of the
 * live group does not touch the replay. Records that are not ticks are skipped (live, they were
 * dead-lettered). Resolves once every range is stored; rejects at the first failed write (the caller
 * starts over), or when `signal` aborts.
 */
@Injectable()
export class TickReplayer {
  constructor(
    @Inject(kafkaConfig.KEY) private readonly kafka: KafkaConfig,
    @Inject(processorConfig.KEY) private readonly processor: Pick<ProcessorConfig, 'groupId' | 'concurrency'>,
    private readonly quotes: QuoteStore,
  ) {}

  async replay(ranges: readonly ReplayRange[], runIds: RunIds, progress: ReplayProgress, signal: AbortSignal): Promise<void> {
    const open = new Map(ranges.filter((r) => BigInt(r.start) < BigInt(r.end)).map((r) => [r.partition, BigInt(r.end)]));
    progress.total = ranges.reduce((sum, r) => sum + Math.max(0, Number(BigInt(r.end) - BigInt(r.start))), 0);
    progress.replayed = 0;
    if (open.size === 0) return;
    const topic = this.kafka.ticksTopic;
    const consumer = new Kafka(kafkaClientConfig(this.kafka, 'processor-rebuild')).consumer({
      groupId: `${this.processor.groupId}.rebuild.${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
    });
    let finish!: () => void;
    let fail!: (err: unknown) => void;
    const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    const onAbort = () => fail(new Error('REBUILD_ABORTED: the replay was stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: Math.min(this.processor.concurrency, open.size),
        eachBatch: async (payload) => {
          await this.batch(payload, open, runIds, progress, signal, consumer).then(() => {
            if (open.size === 0) finish();
          }, fail);
        },
      });
      for (const range of ranges) {
        if (open.has(range.partition)) consumer.seek({ topic, partition: range.partition, offset: range.start });
        else consumer.pause([{ topic, partitions: [range.partition] }]);
      }
      await done;
    } finally {
      signal.removeEventListener('abort', onAbort);
      await consumer.disconnect().catch(() => {});
    }
  }

  private async batch(payload: EachBatchPayload, open: Map<number, bigint>, runIds: RunIds, progress: ReplayProgress, signal: AbortSignal, consumer: Consumer): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const end = open.get(partition);
    if (end === undefined || signal.aborted) return;
    const ticks: Tick[] = [];
    let last = -1n;
    for (const message of messages) {
      const offset = BigInt(message.offset);
      if (offset >= end) break;
      last = offset;
      const tick = decode(message.value);
      if (tick) ticks.push(tick);
    }
    for (let start = 0; start < ticks.length; start += MAX_QUOTES_PER_CALL) {
      await this.quotes.replay(ticks.slice(start, start + MAX_QUOTES_PER_CALL), runIds);
      if (signal.aborted) return;
    }
    if (last >= 0n) payload.resolveOffset(String(last));
    progress.replayed += Number(last >= 0n ? last - BigInt(messages[0].offset) + 1n : 0n);
    await payload.heartbeat();
    if (last + 1n >= end) {
      open.delete(partition);
      consumer.pause([{ topic, partitions: [partition] }]);
    }
  }
}

function decode(value: Buffer | null): Tick | null {
  if (value === null) return null;
  try {
    const result = checkTick(JSON.parse(value.toString()));
    return result.ok ? result.tick : null;
  } catch {
    return null;
  }
}
