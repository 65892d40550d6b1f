import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Tick } from '#app/contracts';
import { generatorConfig, marketConfig, type GeneratorConfig, type MarketConfig } from '#app/config';
import { TickSimulator } from '../simulation/tick-simulator.js';
import { TickPublisher } from './tick-publisher.js';

/**
 * How much market time may wait behind the send in flight. At 37-44k ticks/s (rounds every 20 ms),
 * skipping every round made while a send took longer than the interval lost 3.5 % of the rate on a
 * quiet machine and 10-18 % with other load on it; a round that waits goes out with the next send.
 */
const MAX_QUEUED_MS = 100;

/**
 * How long shutdown waits for the send in flight and the rounds queued behind it. runApp exits 1
 * after 9 s; this leaves time to close the producer and admin connections (quick even with Kafka
 * down) and to say what was given up on, so that the process exits 0 having counted every tick.
 */
export const DRAIN_DEADLINE_MS = 5000;

/** idle -> running (bootstrap) -> draining (shutdown) -> stopped (drained, or the deadline passed). */
type ScheduleState = 'idle' | 'running' | 'draining' | 'stopped';

/**
 * Runs a round of the simulator every TICK_INTERVAL_MS and publishes it, one send in flight at a time.
 * Rounds made while a send is in flight wait and go together in the next send (a bigger batch), up to
 * MAX_QUEUED_MS of them; later rounds are skipped, so a slow broker slows the market down instead of
 * growing a backlog. On shutdown it stops the timer and waits for the send in flight and the rounds
 * queued behind it, for DRAIN_DEADLINE_MS at most: what is not acknowledged by then (the producer
 * retries for about 25 s while Kafka is down) is counted failed and logged, and nothing more is sent.
 */
@Injectable()
export class TickSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TickSchedule.name);
  private readonly simulator: TickSimulator;
  private state: ScheduleState = 'idle';
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  /** Ticks of the rounds made while a send was in flight, in order; the next send takes them all. */
  private queued: Tick[] = [];
  private queuedRounds = 0;
  private readonly maxQueuedRounds: number;
  skippedRounds = 0;

  constructor(
    @Inject(generatorConfig.KEY) private readonly config: GeneratorConfig,
    @Inject(marketConfig.KEY) market: MarketConfig,
    private readonly publisher: TickPublisher,
  ) {
    this.simulator = new TickSimulator(market.symbols);
    this.maxQueuedRounds = Math.max(1, Math.floor(MAX_QUEUED_MS / config.tickIntervalMs));
  }

  onApplicationBootstrap() {
    if (this.state !== 'idle') return;
    this.state = 'running';
    const { tickIntervalMs, burst } = this.config;
    this.timer = setInterval(() => this.round(), tickIntervalMs);
    const perSecond = (this.simulator.symbolCount * burst * 1000) / tickIntervalMs;
    this.logger.log(`publishing ${this.simulator.symbolCount} symbols, ~${Math.round(perSecond)} ticks/s`);
  }

  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    if (this.state === 'draining' || this.state === 'stopped') return;
    this.state = 'draining';
    const drained = await this.drainWithin(DRAIN_DEADLINE_MS);
    this.state = 'stopped';
    if (!drained) {
      this.publisher.abandon(this.queued.length, `not acknowledged within the ${DRAIN_DEADLINE_MS} ms shutdown deadline`);
      this.queued = [];
      this.queuedRounds = 0;
    }
    this.logger.log(`flushed: ${this.publisher.published} ticks published, ${this.publisher.failed} failed`);
  }

  /** Resolves true once no send is in flight and none is queued, or false when `ms` passed first. */
  private async drainWithin(ms: number): Promise<boolean> {
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (deadline = setTimeout(() => resolve(false), ms)));
    const drained = (async () => {
      // Each send, when done, starts the next with the rounds queued behind it.
      while (this.inFlight) await this.inFlight;
      return true as const;
    })();
    try {
      return await Promise.race([drained, expired]);
    } finally {
      clearTimeout(deadline);
    }
  }

  private round() {
    if (this.state !== 'running') return;
    if (!this.inFlight) {
      this.send(this.simulator.round(this.config.burst));
    } else if (this.queuedRounds < this.maxQueuedRounds) {
      for (const tick of this.simulator.round(this.config.burst)) this.queued.push(tick);
      this.queuedRounds++;
    } else {
      this.skippedRounds++;
    }
  }

  private send(ticks: Tick[]) {
    this.inFlight = this.publisher
      .publish(ticks)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        // Past the deadline the queued rounds were counted failed: they must not go out after all.
        if (this.state === 'stopped' || this.queuedRounds === 0) return;
        const next = this.queued;
        this.queued = [];
        this.queuedRounds = 0;
        this.send(next);
      });
  }
}
