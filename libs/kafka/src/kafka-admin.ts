import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, type Admin, type ITopicConfig } from 'kafkajs';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { kafkaClientConfig } from './kafka-client.config.js';

const PING_TIMEOUT_MS = 3000;
/** How long start-up waits for the topics' partitions to have leaders before it gives up. */
const LEADER_TIMEOUT_MS = 30_000;
const LEADER_POLL_MS = 250;

/** One long-lived admin connection per app: topic creation at start-up and the readiness probe. */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private readonly logger = new Logger(KafkaAdmin.name);
  private readonly admin: Admin;
  private connecting?: Promise<void>;

  constructor(@Inject(kafkaConfig.KEY) config: KafkaConfig) {
    this.admin = new Kafka(kafkaClientConfig(config, 'admin')).admin();
  }

  /**
   * Creates the topics that are missing (existing ones are left as they are) and resolves once every
   * partition of each has a leader. A topic another app has just created, or whose broker is coming
   * back, exists before its leaders are elected, and a consumer subscribing then fails with "This
   * server does not host this topic-partition", which would end the app's start.
   */
  async ensureTopics(topics: ITopicConfig[], leaderTimeoutMs = LEADER_TIMEOUT_MS): Promise<void> {
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      // false: another app created them first, which is as good.
      const created = await this.admin.createTopics({ topics: missing, waitForLeaders: true });
      if (created) this.logger.log(`created topics ${missing.map((t) => `${t.topic}(${t.numPartitions} partitions)`).join(', ')}`);
    }
    await this.waitForLeaders(topics.map((t) => t.topic), leaderTimeoutMs);
  }

  private async waitForLeaders(topics: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const waiting = await this.partitionsWithoutLeader(topics);
      if (waiting === null) return;
      if (Date.now() >= deadline) throw new Error(`no leader after ${timeoutMs} ms for ${waiting}`);
      if (attempt === 1) this.logger.log(`waiting for the leaders of ${waiting}`);
      await sleep(LEADER_POLL_MS);
    }
  }

  /** The partitions that have no leader yet, described, or null when every one has. */
  private async partitionsWithoutLeader(topics: string[]): Promise<string | null> {
    let metadata: Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
    try {
      metadata = await this.admin.fetchTopicMetadata({ topics });
    } catch (err) {
      // Kafka answers LEADER_NOT_AVAILABLE or UNKNOWN_TOPIC_OR_PARTITION while it elects them.
      return `${topics.join(', ')} (${(err as Error).message})`;
    }
    const leaderless = metadata.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0 || p.partitionErrorCode !== 0).map((p) => `${t.name}[${p.partitionId}]`));
    return leaderless.length > 0 ? leaderless.join(', ') : null;
  }

  /** Resolves with the broker count when the cluster answers a metadata request in time. */
  async ping(): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connect().then(() => this.admin.describeCluster()).then((c) => c.brokers.length),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.connecting = undefined;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Records in `topic` not yet committed by `groupId`, summed over partitions. */
  async consumerLag(groupId: string, topic: string): Promise<number> {
    await this.connect();
    const [ends, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, p) => lag + Math.max(0, Number(p.high) - Math.max(0, done.get(p.partition) ?? 0)), 0);
  }

  /** Whether `groupId` has committed an offset of any partition of `topic`. */
  async hasCommitted(groupId: string, topic: string): Promise<boolean> {
    await this.connect();
    const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return committed.partitions.some((p) => Number(p.offset) >= 0);
  }

  /**
   * Per partition of `topic`, the offsets from the first record at or after `sinceMs` (Kafka's
   * offsets-for-times; the log's start where retention has removed older ones) to the high watermark.
   */
  async rangeSince(topic: string, sinceMs: number): Promise<Array<{ partition: number; start: string; end: string }>> {
    await this.connect();
    const [starts, ends] = await Promise.all([this.admin.fetchTopicOffsetsByTimestamp(topic, sinceMs), this.admin.fetchTopicOffsets(topic)]);
    const high = new Map(ends.map((p) => [p.partition, p.high]));
    return starts.map((p) => {
      const end = high.get(p.partition) ?? '0';
      // -1: no record at or after the time; the range is empty.
      return { partition: p.partition, start: Number(p.offset) < 0 ? end : p.offset, end };
    });
  }

  /** The topic's retention.ms (-1: kept forever). */
  async retentionMs(topic: string): Promise<number> {
    await this.connect();
    const { resources } = await this.admin.describeConfigs({
      resources: [{ type: 2 /* ConfigResourceTypes.TOPIC */, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    const entry = resources[0]?.configEntries.find((e) => e.configName === 'retention.ms');
    return Number(entry?.configValue ?? -1);
  }

  async onApplicationShutdown() {
    await this.admin.disconnect();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.admin.connect().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }
}
