// The images' HEALTHCHECK: exits 0 when the app in this container answers GET /health/live.
// Usage: node liveness-probe.mjs <PORT_VARIABLE> <default port>. Written in Node because the official
// Node image has no curl or wget. Liveness, not readiness: an app waiting for Kafka is still healthy
// to Docker; orchestrators read readiness from /health themselves.
const [variable, fallback] = process.argv.slice(2);
const port = process.env[variable] || fallback;

try {
  const res = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
