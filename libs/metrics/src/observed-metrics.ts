import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Metrics read from plain fields at scrape time, so hot paths (per tick, per socket) only bump a
 * number and never touch prom-client.
 */
export function observedCounter(registry: Registry, name: string, help: string, read: () => number): Counter {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

export function observedGauge(registry: Registry, name: string, help: string, read: () => number | Promise<number>): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}
