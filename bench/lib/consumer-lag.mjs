// Kafka progress of one topic and group from a long-lived admin connection: records appended (sum of
// high watermarks), records committed by the group, and the difference, the consumer lag.
import { benchKafka } from './bench-apps.mjs';

export class ConsumerLag {
  constructor(topic, groupId) {
    this.topic = topic;
    this.groupId = groupId;
    this.admin = benchKafka('bench-lag').admin();
  }

  async connect() {
    await this.admin.connect();
    return this;
  }

  async produced() {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  }

  /** { produced, committed, lag } at one moment. */
  async read() {
    const [ends, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    const done = new Map(committed.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    let produced = 0;
    let consumed = 0;
    for (const p of ends) {
      produced += Number(p.high);
      consumed += done.get(p.partition) ?? 0;
    }
    return { produced, committed: consumed, lag: produced - consumed, at: performance.now() };
  }

  async disconnect() {
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** Least-squares slope of y over x (per unit of x). */
export function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
