import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, type Admin, type ITopicConfig } from 'kafkajs';
import { kafkaConfig, type KafkaConfig } from '#app/config';
import { kafkaClientConfig } from './kafka-client.config.js';

const PING_TIMEOUT_MS = 3000;

/** One long-lived admin connection per app: topic creation at start-up and the readiness probe. */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private readonly logger = new Logger(KafkaAdmin.name);
  private readonly admin: Admin;
  private connecting?: Promise<void>;

  constructor(@Inject(kafkaConfig.KEY) config: KafkaConfig) {
    this.admin = new Kafka(kafkaClientConfig(config, 'admin')).admin();
  }

  /** Creates the topics that are missing; existing ones are left as they are. */
  async ensureTopics(topics: ITopicConfig[]): Promise<void> {
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    // false: another app created them first, which is as good.
    const created = await this.admin.createTopics({ topics: missing, waitForLeaders: true });
    if (created) this.logger.log(`created topics ${missing.map((t) => `${t.topic}(${t.numPartitions} partitions)`).join(', ')}`);
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
