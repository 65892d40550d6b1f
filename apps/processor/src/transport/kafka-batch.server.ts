import { ServerKafka, type KafkaContext, type KafkaOptions } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { ConsumerStatus } from '../consumer/consumer-status.js';
import type { PartitionControl, PartitionRetries } from '../consumer/partition-retries.js';
import { epochNow } from '../trace/tick-trace.js';
import { KafkaBatchContext, type BatchTimes, type KafkaRecord } from './kafka-batch.context.js';
import { OffsetCommits } from './offset-commits.js';
import { TransientBatchError } from './transient-batch.error.js';

/** On the way out: how long the batches in hand may take to finish, then the last commit. */
const DRAIN_MS = 4000;
const LAST_COMMIT_MS = 2000;

/**
 * Nest's Kafka transport, except that an event handler gets a partition's batch of records at once
 * (kafkajs `eachBatch`) instead of one record per call (`eachMessage`, the only mode Nest offers).
 * The per-record path costs more than the work itself at high rates: Nest's per-message routing (a
 * JSON.parse of the topic name that throws, a context and an observable per record) and a Redis round
 * trip per record. A batch pays those once.
 *
 * Offsets are not resolved automatically: the handler resolves each record once it is done with it, so
 * kafkajs commits an offset only after its tick is in Redis. A handler that throws a TransientBatchError
 * leaves the rest of the batch unresolved and its partition paused; PartitionRetries resumes it later
 * and kafkajs fetches the rest again (at-least-once). Any other error goes to kafkajs, as with
 * `eachMessage`. The consumer's events and each batch feed ConsumerStatus, which readiness reports.
 *
 * With a commit interval, resolved offsets are committed by OffsetCommits every interval rather than by
 * kafkajs after every batch; on close, batches that have not started are left unresolved, the ones in
 * hand finish, and what they resolved is committed before the consumer leaves the group.
 */
export class KafkaBatchServer extends ServerKafka {
  private readonly commits?: OffsetCommits;
  private closing = false;
  private active = 0;
  private onIdle?: () => void;
  /** When kafkajs' last fetch returned: the batches it brought are handed out before the next fetch. */
  private fetchedAt = 0;

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly consumerStatus: ConsumerStatus,
    private readonly retries: PartitionRetries,
    /** 0: kafkajs commits after every batch. */
    commitIntervalMs = 0,
  ) {
    super(options);
    if (commitIntervalMs > 0) this.commits = new OffsetCommits(commitIntervalMs);
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const { GROUP_JOIN, CRASH, FETCH } = consumer.events;
    consumer.on(FETCH, () => (this.fetchedAt = epochNow()));
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.retries.assigned(payload.memberAssignment);
      this.consumerStatus.joined(payload.memberAssignment);
    });
    consumer.on(CRASH, ({ payload }) => this.consumerStatus.crashed(payload.error, payload.restart));
    this.retries.attach(partitionControl(consumer));
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...this.options.subscribe, topics });
    await consumer.run({
      ...this.options.run,
      autoCommit: this.commits === undefined,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async handleBatch(payload: EachBatchPayload): Promise<void> {
    if (this.closing || payload.batch.messages.length === 0) return;
    const times = { fetchedAt: this.fetchedAt, startedAt: epochNow() };
    this.active++;
    try {
      await this.handleRecords(payload, times);
    } finally {
      this.commits?.track(payload);
      if (--this.active === 0) this.onIdle?.();
    }
  }

  private async handleRecords(payload: EachBatchPayload, times: BatchTimes): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    this.retries.batchStarted(topic, partition);
    const records: KafkaRecord[] = messages.map((m) => ({
      offset: m.offset,
      key: m.key,
      raw: m.value,
      value: m.value === null ? null : this.parser!.decode(m.value),
    }));
    // Nest's handleEvent types its context as KafkaContext; the handler of a batch asks for a KafkaBatchContext.
    const context = new KafkaBatchContext([payload, times]) as unknown as KafkaContext;
    try {
      await this.handleEvent(topic, { pattern: topic, data: records }, context);
    } catch (err) {
      if (!(err instanceof TransientBatchError)) throw err;
      this.retries.batchFailed(topic, partition, `${err.code}: ${err.message}`);
      return;
    }
    this.retries.batchSucceeded(topic, partition);
    this.consumerStatus.batchDone(topic, partition, Number(payload.batch.offsetLag()));
  }

  /**
   * Nest finds a pattern's handler by trying JSON.parse on it first, which throws for a topic name: a
   * throw per batch is a visible share of the processor's time at high rates. Found once per topic.
   */
  private readonly handlers = new Map<string, ReturnType<ServerKafka['getHandlerByPattern']>>();
  override getHandlerByPattern(pattern: string): ReturnType<ServerKafka['getHandlerByPattern']> {
    let handler = this.handlers.get(pattern);
    if (!handler) {
      handler = super.getHandlerByPattern(pattern);
      if (handler) this.handlers.set(pattern, handler);
    }
    return handler;
  }

  /**
   * Stops the retry timers first, so that none resumes a partition of a consumer on its way out; lets
   * the batches in hand finish and commits what they resolved (each step bounded: a commit that cannot
   * be made only means those ticks are fetched again and found stale).
   */
  override async close(): Promise<void> {
    this.closing = true;
    this.consumerStatus.stopped();
    this.retries.stop();
    if (this.commits) {
      await within(DRAIN_MS, new Promise<void>((resolve) => (this.active === 0 ? resolve() : (this.onIdle = resolve))));
      await within(LAST_COMMIT_MS, this.commits.flush());
    }
    await super.close();
  }
}

function within(ms: number, work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Pauses and resumes on the kafkajs consumer. Between a crash and kafkajs' restart of the consumer it
 * has no group and throws, which from a retry timer would take the process down; nothing is lost by
 * ignoring it: the restarted consumer has nothing paused, and its GROUP_JOIN re-applies the pauses.
 */
function partitionControl(consumer: Consumer): PartitionControl {
  const apply = (change: Consumer['pause'], topic: string, partition: number) => {
    try {
      change([{ topic, partitions: [partition] }]);
    } catch {
      // no consumer group right now, see above
    }
  };
  return {
    pause: (topic, partition) => apply(consumer.pause, topic, partition),
    resume: (topic, partition) => apply(consumer.resume, topic, partition),
  };
}
