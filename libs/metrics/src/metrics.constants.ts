/** The app's prom-client Registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** `() => Promise<string>`: the text /metrics answers with, the app's registry unless a MetricsAggregation gathers more. */
export const METRICS_TEXT = Symbol('METRICS_TEXT');

/** Metrics of several processes answered as one (the gateway's workers): attached to the registry at start, asked for each /metrics. */
export interface MetricsAggregation {
  attach(registry: import('prom-client').Registry): void;
  text(registry: import('prom-client').Registry): Promise<string>;
}
