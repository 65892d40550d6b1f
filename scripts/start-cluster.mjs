#!/usr/bin/env node
// `npm run start:cluster`: the scaled-out topology on one machine, for trying it. Builds what is missing,
// then brings up three Kafka brokers (replication factor 3) and a Redis Cluster of three masters with a
// replica each, and runs two processors in one consumer group, three gateways behind HAProxy on :8081,
// and the generator, with prefixed logs until Ctrl-C; then stops everything it started, apps first.
//
//   npm run start:cluster                    # page: http://localhost:8081/
//   npm run start:cluster -- --monitoring    # and Prometheus on :9090 scraping every app and HAProxy
//
// Ports: gateways 8091-8093, processors 8083-8084, generator 8082, HAProxy stats/metrics 8404,
// Kafka 19092/19094/19096, Redis Cluster 7001-7006 (bus 7007-7012). Reads ./.env like `npm start`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { CACHE } from './infra/common.mjs';
import { startHaproxy } from './cluster/haproxy.mjs';
import { startPrometheus } from './cluster/prometheus.mjs';
import { build, ensureDependencies, ROOT } from './setup.mjs';
import { ensureSupportedNode } from './supported-node.mjs';

const TOPOLOGY = {
  processors: [8083, 8084],
  gateways: [8091, 8092, 8093],
  generator: 8082,
  haproxy: 8081,
  haproxyStats: 8404,
  prometheus: 9090,
};
const COLORS = { processor: 35, gateway: 36, generator: 33, haproxy: 32 };
const useColor = process.stdout.isTTY;
const monitoring = process.argv.includes('--monitoring');

function prefixed(label, color) {
  const tag = useColor ? `\x1b[${color}m[${label}]\x1b[0m ` : `[${label}] `;
  return (line) => process.stdout.write(tag + line + '\n');
}

function prefixLines(stream, write) {
  let partial = '';
  stream.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) write(line);
  });
}

/** Spawns a built app; resolves once its /health answers 200, or rejects when it exits first. */
async function startApp(name, label, port, env) {
  const portVariable = { processor: 'PROCESSOR_PORT', gateway: 'GATEWAY_PORT', generator: 'GENERATOR_PORT' }[name];
  const child = spawn(process.execPath, ['--enable-source-maps', `dist/apps/${name}/src/main.js`], {
    cwd: ROOT,
    env: { ...env, [portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const write = prefixed(label, COLORS[name]);
  prefixLines(child.stdout, write);
  prefixLines(child.stderr, write);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ label, code, signal })));
  const app = { label, child, exited };
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) return app;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${label} exited before it was ready`);
}

await ensureSupportedNode();
ensureDependencies();
build();
const { up, down } = await import('./infra.mjs');
const infra = await up({ kafkaBrokers: 3, redisCluster: true });
const env = { LOG_FORMAT: 'text', ...process.env };
const dotenv = path.join(ROOT, '.env');
if (existsSync(dotenv)) Object.assign(env, parseEnv(readFileSync(dotenv, 'utf8')), process.env);
Object.assign(env, {
  KAFKA_BROKERS: infra.kafka.bootstrapServers,
  KAFKA_REPLICATION_FACTOR: '3',
  REDIS_CLUSTER_NODES: infra.redisCluster.nodes,
  // The gateways see every client through HAProxy; they take the client's address from its X-Forwarded-For.
  WS_TRUSTED_PROXIES: '127.0.0.1',
});

const apps = [];
let haproxy = null;
let prometheus = null;
let stopping = false;
async function stop(reason) {
  if (stopping) return;
  stopping = true;
  console.log(`[start:cluster] ${reason}: stopping`);
  // The generator first (no new ticks), then the gateways' clients go with HAProxy, then the rest.
  const order = ['generator', 'gateway', 'processor'];
  let clean = true;
  for (const kind of order) {
    const group = apps.filter((a) => a.label.startsWith(kind));
    for (const { child } of group) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    for (const exit of await Promise.all(group.map((a) => a.exited))) {
      console.log(`[start:cluster] ${exit.label} exited ${exit.signal ?? exit.code}`);
      clean &&= exit.code === 0;
    }
    if (kind === 'gateway') await haproxy?.stop();
  }
  await prometheus?.stop();
  const startedKafka = infra.kafka.nodes.some((n) => !n.reused);
  if (startedKafka) await down({ mode: infra.mode, kafkaBrokers: 3, only: 'kafka' });
  if (!infra.redisCluster.reused) await down({ mode: infra.mode, redisCluster: true, only: 'redis' });
  process.exit(clean ? 0 : 1);
}
process.on('SIGINT', () => stop('Ctrl-C'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  for (const [i, port] of TOPOLOGY.processors.entries()) apps.push(await startApp('processor', `processor-${i + 1}`, port, env));
  for (const [i, port] of TOPOLOGY.gateways.entries()) apps.push(await startApp('gateway', `gateway-${i + 1}`, port, env));
  haproxy = await startHaproxy({
    port: TOPOLOGY.haproxy,
    statsPort: TOPOLOGY.haproxyStats,
    gateways: TOPOLOGY.gateways.map((p) => `127.0.0.1:${p}`),
    onLine: prefixed('haproxy', COLORS.haproxy),
  });
  void haproxy.exited.then((e) => stop(`haproxy exited (${e.signal ?? e.code})`));
  apps.push(await startApp('generator', 'generator', TOPOLOGY.generator, env));
  if (monitoring) {
    const local = (ports) => ports.map((p) => `127.0.0.1:${p}`);
    prometheus = await startPrometheus({
      port: TOPOLOGY.prometheus,
      dir: path.join(CACHE, `prometheus-${TOPOLOGY.prometheus}`),
      targets: {
        generator: local([TOPOLOGY.generator]),
        processor: local(TOPOLOGY.processors),
        gateway: local(TOPOLOGY.gateways),
        haproxy: local([TOPOLOGY.haproxyStats]),
      },
    });
  }
} catch (err) {
  console.error(`[start:cluster] ${err.message}`);
  await stop('start-up failed');
}
for (const app of apps) void app.exited.then((e) => stop(`${e.label} exited (${e.signal ?? e.code})`));
console.log(`[start:cluster] watchlist through HAProxy: http://localhost:${TOPOLOGY.haproxy}/  (ws://localhost:${TOPOLOGY.haproxy}/ws)`);
console.log(`[start:cluster] HAProxy stats: http://localhost:${TOPOLOGY.haproxyStats}/stats` + (prometheus ? `; Prometheus: ${prometheus.url}` : ''));
console.log('[start:cluster] Ctrl-C to stop');
