// The highest value of some gauges of an app's /metrics, scraped every `intervalMs` while a scenario
// runs (a peak between two scrapes is missed: the figure is a lower bound). A scrape the app is too
// busy to answer within the timeout is counted, not fatal.
import { setTimeout as sleep } from 'node:timers/promises';
import { scrape } from './app-metrics.mjs';

export class MetricPeaks {
  constructor(port, names, intervalMs = 500) {
    this.port = port;
    this.names = names;
    this.intervalMs = intervalMs;
    this.peaks = Object.fromEntries(names.map((n) => [n, 0]));
    this.scrapes = 0;
    this.failed = 0;
    this.running = false;
  }

  start() {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async run() {
    while (this.running) {
      try {
        const values = await scrape(this.port);
        this.scrapes++;
        for (const name of this.names) this.peaks[name] = Math.max(this.peaks[name], values.get(name) ?? 0);
      } catch {
        this.failed++;
      }
      await sleep(this.intervalMs);
    }
  }

  async stop() {
    this.running = false;
    await this.loop;
    return { ...this.peaks, scrapes: this.scrapes, failedScrapes: this.failed };
  }
}
