import cluster from 'node:cluster';
import { isGatewayMessage, type PrimaryAnswer, type WorkerRequest } from './cluster-messages.js';

/** Questions to the primary waiting for an answer; past it a question is answered as refused at once. */
const MAX_WAITING = 10_000;

/**
 * A worker's questions to the primary of GATEWAY_WORKERS (see GatewayPrimary): a place for one more
 * connection of an address, and the aggregated metrics. Absent (`PrimaryLink.current()` is null) in a
 * gateway that runs alone. Answers come back in any order, matched by id; while the primary is gone
 * every claim is refused, as a gateway that cannot count an address must not let it in.
 */
export class PrimaryLink {
  private static instance: PrimaryLink | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, (answer: PrimaryAnswer) => void>();

  private constructor() {
    process.on('message', (message: unknown) => {
      if (!isGatewayMessage(message)) return;
      const answer = message as PrimaryAnswer;
      const resolve = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      resolve?.(answer);
    });
    process.on('disconnect', () => {
      for (const [id, resolve] of this.waiting) resolve({ gw: 'claimed', id, ok: false });
      this.waiting.clear();
    });
  }

  /** The link of this worker, or null when the process is no cluster worker. */
  static current(): PrimaryLink | null {
    if (!cluster.isWorker) return null;
    return (PrimaryLink.instance ??= new PrimaryLink());
  }

  /** True when one more connection from `key` keeps it within `cap` over every worker (the place is then taken). */
  async claim(key: string, cap: number): Promise<boolean> {
    const answer = await this.ask((id) => ({ gw: 'claim', id, key, cap }), { gw: 'claimed', id: -1, ok: false });
    return answer.gw === 'claimed' && answer.ok;
  }

  release(key: string): void {
    this.send({ gw: 'release', key });
  }

  /** Every worker's metrics, aggregated by the primary, in the Prometheus text format. */
  async metrics(): Promise<string> {
    const answer = await this.ask((id) => ({ gw: 'metrics', id }), { gw: 'metrics', id: -1, error: 'too many metrics requests waiting' });
    if (answer.gw !== 'metrics' || answer.text === undefined) throw new Error(`metrics of the workers: ${(answer as { error?: string }).error ?? 'no answer'}`);
    return answer.text;
  }

  private ask(request: (id: number) => WorkerRequest, whenFull: PrimaryAnswer): Promise<PrimaryAnswer> {
    if (this.waiting.size >= MAX_WAITING || !process.connected) return Promise.resolve(whenFull);
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send(request(id));
    });
  }

  private send(message: WorkerRequest): void {
    if (process.connected) process.send!(message);
  }
}
