import { Inject, Injectable } from '@nestjs/common';
import { Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '#app/metrics';

/** Where a batch of ticks is on its way through the processor. */
export type TickStage = 'fetched' | 'batch' | 'handled' | 'sent' | 'stored';

/** Sub-millisecond steps at the low end, where a stage's share of a tick's few milliseconds shows. */
const BUCKETS_SECONDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7.5, 10, 12.5, 15, 20, 25, 30, 40, 50, 75, 100, 250, 1000].map((ms) => ms / 1000);

/** A clock with sub-millisecond steps on the epoch scale of a tick's `timestamp`. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * The trace of ticks through the processor: at each stage, how old a batch's first tick is (since the
 * generator stamped its round), in `processor_tick_stage_seconds{stage}`:
 *   fetched  kafkajs' fetch returned it;  batch  kafkajs handed its partition batch to the server;
 *   handled  the tick handler has it (Nest routed and parsed it);  sent  its store script call is sent;
 *   stored   that call answered: stored and published (the PUBLISH is in the script).
 * One observation per batch and stage, not per tick: the cost stays per batch however many ticks a
 * batch holds, and a round's ticks share one timestamp, so the first tick's age is every tick's age of
 * the round. The age reads up to 1 ms high (the timestamp is whole milliseconds); differences between
 * stages do not.
 */
@Injectable()
export class TickTrace {
  private readonly stages: Record<TickStage, Histogram.Internal<'stage'>>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const histogram = new Histogram({
      name: 'processor_tick_stage_seconds',
      help: "Age of a batch's first tick (since its generation timestamp) at each stage through the processor",
      labelNames: ['stage'],
      buckets: BUCKETS_SECONDS,
      registers: [registry],
    });
    this.stages = {
      fetched: histogram.labels('fetched'),
      batch: histogram.labels('batch'),
      handled: histogram.labels('handled'),
      sent: histogram.labels('sent'),
      stored: histogram.labels('stored'),
    };
  }

  /** `timestamp` (epoch ms, the tick's) was at `stage` at `at` (epoch ms, from epochNow). */
  observe(stage: TickStage, timestamp: number, at: number): void {
    const age = at - timestamp;
    if (age >= 0) this.stages[stage].observe(age / 1000);
  }
}
