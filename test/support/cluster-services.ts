/** scripts/cluster/*.mjs (plain JS, so typed here by hand): HAProxy and Prometheus as `npm run start:cluster` runs them. */
export interface RunningHaproxy {
  url: string;
  statsUrl: string;
  output(): string;
  stop(): Promise<unknown>;
}

export interface RunningPrometheus {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

interface HaproxyScript {
  startHaproxy(opts: { port: number; statsPort: number; gateways: string[] }): Promise<RunningHaproxy>;
  gatewayStates(statsUrl: string): Promise<Record<string, string>>;
}

interface PrometheusScript {
  startPrometheus(opts: { port: number; dir: string; targets: Record<string, string[]> }): Promise<RunningPrometheus>;
}

/** `<repo>/scripts/`, seen from this file compiled to `dist/test/support/`. */
const SCRIPTS = new URL('../../../scripts/', import.meta.url);

export async function haproxyScript(): Promise<HaproxyScript> {
  const infra = (await import(new URL('infra/common.mjs', SCRIPTS).href)) as { setQuiet(quiet: boolean): void };
  infra.setQuiet(process.env.INFRA_VERBOSE !== '1');
  return (await import(new URL('cluster/haproxy.mjs', SCRIPTS).href)) as HaproxyScript;
}

export async function prometheusScript(): Promise<PrometheusScript> {
  return (await import(new URL('cluster/prometheus.mjs', SCRIPTS).href)) as PrometheusScript;
}

/** Where a test keeps Prometheus's state: `<repo>/.cache/prometheus-<port>`. */
export function prometheusDir(port: number): string {
  return new URL(`../../../.cache/prometheus-${port}`, import.meta.url).pathname;
}

/** One instant-vector query through Prometheus's HTTP API: [{ labels, value }]. */
export async function promQuery(url: string, query: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query ${query}: ${JSON.stringify(body)}`);
  return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}
