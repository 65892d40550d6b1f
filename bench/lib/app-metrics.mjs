// Reads an app's Prometheus /metrics: counters and gauges summed over their label sets.

export async function scrape(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  const values = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const brace = line.indexOf('{');
    const name = brace > 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    values.set(name, (values.get(name) ?? 0) + Number(line.slice(space + 1)));
  }
  return values;
}

/** One metric, or NaN when the app is gone or does not expose it. */
export async function metric(port, name) {
  try {
    return (await scrape(port)).get(name) ?? Number.NaN;
  } catch {
    return Number.NaN;
  }
}
