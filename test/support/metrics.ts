/** One sample of a Prometheus metric from an app's /metrics, NaN when it is absent. */
export async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

/** Several gauges at once, for a wait that prints how far it got. */
export async function metrics(port: number, names: string[]): Promise<Record<string, number>> {
  const values = await Promise.all(names.map((name) => metric(port, name)));
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}
