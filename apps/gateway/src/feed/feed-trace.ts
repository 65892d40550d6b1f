import { Inject, Injectable, Optional } from '@nestjs/common';
import { Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '#app/metrics';

/** Ages from 0.25 ms to 0.5 s: the stages of a quote on one machine take fractions of a millisecond to tens. */
const BUCKETS_SECONDS = [0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5];

const TIMESTAMP = /"timestamp":(\d+)/;

/**
 * The gateway's part of a quote's trace: its age (since the generator stamped it) when its PUBLISH is
 * read, and when its frame has been written to every subscriber's socket (the flush of the turn it
 * arrived in). One regex and one histogram observation per quote and stage, not per client.
 */
@Injectable()
export class FeedTrace {
  private readonly stages: Histogram<'stage'> | null;
  private readonly written: number[] = [];
  private scheduled = false;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry?: Registry) {
    this.stages = registry
      ? new Histogram({
          name: 'gateway_quote_stage_seconds',
          help: 'Age of a quote since it was generated when the gateway read it from Redis (read) and when its frame was written to every subscriber (written)',
          labelNames: ['stage'],
          buckets: BUCKETS_SECONDS,
          registers: [registry],
        })
      : null;
  }

  /** A quote was read from Redis. */
  read(json: string): void {
    const generatedAt = this.stages && generatedAtOf(json);
    if (generatedAt) this.stages!.observe({ stage: 'read' }, (now() - generatedAt) / 1000);
  }

  /** A quote was handed to its subscribers; its frames are written by the flush of this turn, which runs first. */
  fannedOut(json: string): void {
    const generatedAt = this.stages && generatedAtOf(json);
    if (!generatedAt) return;
    this.written.push(generatedAt);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushed());
  }

  private flushed(): void {
    this.scheduled = false;
    const at = now();
    for (const generatedAt of this.written) this.stages!.observe({ stage: 'written' }, (at - generatedAt) / 1000);
    this.written.length = 0;
  }
}

function generatedAtOf(json: string): number {
  return Number(TIMESTAMP.exec(json)?.[1] ?? 0);
}

/** Epoch milliseconds with a fraction, comparable with the generator's Date.now() stamps. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
