import { randomUUID } from 'node:crypto';
import kafkajs, { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import type { Quote } from '#app/contracts';

// Not a named export node can detect in kafkajs' CommonJS module.
const { ConfigResourceTypes } = kafkajs;

/** The ticks a topic holds, read back to its high watermarks. */
export interface TopicContents {
  /** Records read; equals the sum of the partitions' high watermarks. */
  count: number;
  /** Every seq per symbol, in the order of its partition (one symbol lives in one partition). */
  seqs: Map<string, number[]>;
  /** The partition each symbol's ticks are in. */
  partitionOf: Map<string, number>;
  /** Every tick per symbol, in the order of its partition. */
  ticks: Map<string, Quote[]>;
}

/**
 * Reads a ticks topic the way an auditor would, with plain kafkajs against the given brokers:
 * how many records it holds and which seqs, to compare with what the generator says it published
 * and what the processor stored.
 */
export class TopicReader {
  private readonly kafka: Kafka;

  constructor(brokers: string) {
    this.kafka = new Kafka({
      clientId: 'e2e-topic-reader',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200 },
    });
  }

  /** Sum of the high watermarks: how many records were ever appended (the topic is never compacted). */
  async highWatermarkSum(topic: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    });
  }

  /** How the topic is replicated: per partition its leader and replica count, and the effective min.insync.replicas. */
  async replication(topic: string): Promise<{ partitions: Array<{ partition: number; leader: number; replicas: number }>; minInsyncReplicas: number }> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const { resources } = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      });
      return {
        partitions: topics[0].partitions.map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas.length })),
        minInsyncReplicas: Number(resources[0].configEntries[0].configValue),
      };
    });
  }

  /** The members of a consumer group and how many partitions each was assigned. */
  async groupMembers(groupId: string, topic: string): Promise<Array<{ memberId: string; partitions: number[] }>> {
    return this.withAdmin(async (admin) => {
      const { groups } = await admin.describeGroups([groupId]);
      return (groups[0]?.members ?? []).map((m) => {
        const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        return { memberId: m.memberId, partitions: decoded?.assignment[topic] ?? [] };
      });
    });
  }

  /**
   * Moves a consumer group's committed offsets back to the start of the topic: the worst case of a
   * crash, where nothing the dead member stored got committed. The group must have no live member.
   */
  async rewindGroup(groupId: string, topic: string): Promise<void> {
    await this.withAdmin((admin) => admin.resetOffsets({ groupId, topic, earliest: true }));
  }

  /** The offset a consumer group has committed per partition: the next record it would read (none: left out). */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    return this.withAdmin(async (admin) => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(committed.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]));
    });
  }

  /**
   * Reads every record up to the current high watermarks (with a fresh consumer group), or, given
   * `until` (an offset per partition, e.g. a group's committed ones), the records before those.
   */
  async read(topic: string, timeoutMs = 30_000, until?: ReadonlyMap<number, number>): Promise<TopicContents> {
    const ends = until
      ? [...until].map(([partition, offset]) => ({ partition, high: String(offset) }))
      : await this.withAdmin((admin) => admin.fetchTopicOffsets(topic));
    const pending = new Map(ends.filter((p) => Number(p.high) > 0).map((p) => [p.partition, Number(p.high) - 1]));
    const seqs = new Map<string, number[]>();
    const partitionOf = new Map<string, number>();
    const ticks = new Map<string, Quote[]>();
    let count = 0;
    if (pending.size === 0) return { count, seqs, partitionOf, ticks };
    const consumer = this.kafka.consumer({ groupId: `e2e-audit-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`read ${count} records of ${topic} in ${timeoutMs} ms; partitions left: ${JSON.stringify([...pending])}`)),
          timeoutMs,
        );
        void consumer.run({
          eachBatch: async ({ batch }) => {
            const last = pending.get(batch.partition);
            for (const message of batch.messages) {
              if (last === undefined || Number(message.offset) > last) continue;
              count++;
              const tick = JSON.parse(message.value!.toString()) as Quote;
              let list = seqs.get(tick.symbol);
              if (!list) seqs.set(tick.symbol, (list = []));
              list.push(tick.seq);
              let quotes = ticks.get(tick.symbol);
              if (!quotes) ticks.set(tick.symbol, (quotes = []));
              quotes.push(tick);
              partitionOf.set(tick.symbol, batch.partition);
              if (Number(message.offset) === last) pending.delete(batch.partition);
            }
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return { count, seqs, partitionOf, ticks };
  }

  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}
