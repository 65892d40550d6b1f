import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { generatorConfig, marketConfig, type GeneratorConfig, type MarketConfig } from '#app/config';
import { TickSimulator } from '../simulation/tick-simulator.js';
import { TickPublisher } from './tick-publisher.js';

/**
 * Runs a round of the simulator every TICK_INTERVAL_MS and publishes it. A round is skipped while the
 * previous one is still being sent, so a slow broker slows the market down instead of growing a backlog.
 * On shutdown it stops the timer and waits for the round in flight: the generator flushes what it produced.
 */
@Injectable()
export class TickSchedule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TickSchedule.name);
  private readonly simulator: TickSimulator;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  skippedRounds = 0;

  constructor(
    @Inject(generatorConfig.KEY) private readonly config: GeneratorConfig,
    @Inject(marketConfig.KEY) market: MarketConfig,
    private readonly publisher: TickPublisher,
  ) {
    this.simulator = new TickSimulator(market.symbols);
  }

  onApplicationBootstrap() {
    const { tickIntervalMs, burst } = this.config;
    this.timer = setInterval(() => this.round(), tickIntervalMs);
    const perSecond = (this.simulator.symbolCount * burst * 1000) / tickIntervalMs;
    this.logger.log(`publishing ${this.simulator.symbolCount} symbols, ~${Math.round(perSecond)} ticks/s`);
  }

  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    await this.inFlight;
    this.logger.log(`flushed: ${this.publisher.published} ticks published, ${this.publisher.failed} failed`);
  }

  private round() {
    if (this.inFlight) {
      this.skippedRounds++;
      return;
    }
    const ticks = this.simulator.round(this.config.burst);
    this.inFlight = this.publisher
      .publish(ticks)
      .catch(() => undefined)
      .finally(() => (this.inFlight = undefined));
  }
}
