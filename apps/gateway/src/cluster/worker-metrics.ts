import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsAggregation } from '#app/metrics';
import { PrimaryLink } from './primary-link.js';

/**
 * /metrics of a gateway with GATEWAY_WORKERS > 1: whichever worker the request reaches asks the primary,
 * which gathers every worker's registry (prom-client's cluster protocol) and sums them. A gateway running
 * alone answers from its own registry.
 */
export const workerMetrics: MetricsAggregation = {
  attach(registry: Registry) {
    if (!PrimaryLink.current()) return;
    // Constructing one installs prom-client's answer to the primary's requests in this worker.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  },
  text(registry: Registry) {
    return PrimaryLink.current()?.metrics() ?? registry.metrics();
  },
};
