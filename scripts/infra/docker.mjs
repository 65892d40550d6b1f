// Docker mode: the same Kafka + Redis from docker-compose.yml, for machines with a Docker engine.
import path from 'node:path';
import { ROOT, fail, log, run, which } from './common.mjs';
import { kafkaProbe, redisPing, waitFor } from './wait.mjs';

const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

/** True if a Docker engine answers (not just a CLI being installed). Bounded to ~3 s. */
export function dockerEngineAvailable() {
  if (!which('docker')) return false;
  return run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 3000 }).ok;
}

/** 'docker' or 'local': INFRA_MODE wins, else docker when an engine answers and compose is installed. */
export function infraMode() {
  const forced = (process.env.INFRA_MODE ?? '').trim().toLowerCase();
  if (forced === 'local' || forced === 'docker') return forced;
  if (forced) fail(`INFRA_MODE must be "docker" or "local", got "${process.env.INFRA_MODE}"`);
  return dockerEngineAvailable() && composeCommand() ? 'docker' : 'local';
}

/** `docker compose` (v2) or `docker-compose` (v1), whichever is installed; null for neither. */
function composeCommand() {
  if (run('docker', ['compose', 'version'], { timeout: 10_000 }).ok) return ['docker', ['compose']];
  return which('docker-compose') ? ['docker-compose', []] : null;
}

function compose(args, { inherit = true } = {}) {
  const found = composeCommand();
  if (!found) fail('neither `docker compose` nor `docker-compose` is available');
  const [cmd, pre] = found;
  return run(cmd, [...pre, '-f', COMPOSE_FILE, ...args], { inherit });
}

export async function dockerUp({ only } = {}) {
  const services = only ? [only] : ['kafka', 'redis'];
  // Whatever already answers on the fixed ports is reused (compose would fail to bind them anyway).
  const answering = {
    redis: (await redisPing(6379)) !== null,
    kafka: (await kafkaProbe(9092).catch(() => null)) !== null,
  };
  for (const s of services.filter((x) => answering[x])) log(`${s} already answering on 127.0.0.1:${s === 'kafka' ? 9092 : 6379}, reusing it`);
  const toStart = services.filter((s) => !answering[s]);
  if (toStart.length) {
    log(`docker compose up -d ${toStart.join(' ')}`);
    if (!compose(['up', '-d', ...toStart]).ok) fail('docker compose up failed');
  }
  const result = {};
  if (services.includes('redis')) {
    await waitFor(async () => (await redisPing(6379)) === '+PONG', { timeoutMs: 60_000, what: 'Redis on 127.0.0.1:6379' })
      .catch((e) => fail(e.message));
    log('Redis ready on 127.0.0.1:6379 (docker)');
    result.redis = { port: 6379, url: 'redis://127.0.0.1:6379', pid: null, reused: answering.redis };
  }
  if (services.includes('kafka')) {
    await waitFor(async () => (await kafkaProbe(9092)).brokers.length > 0, { timeoutMs: 120_000, what: 'Kafka on 127.0.0.1:9092' })
      .catch((e) => fail(e.message));
    log('Kafka ready: bootstrap 127.0.0.1:9092 (docker)');
    result.kafka = { bootstrapServers: '127.0.0.1:9092', nodes: [{ id: 1, port: 9092, controllerPort: null, pid: null, reused: answering.kafka }] };
  }
  return result;
}

export function dockerDown() {
  log('docker compose down');
  if (!compose(['down']).ok) fail('docker compose down failed');
}

export function dockerPs() {
  return compose(['ps'], { inherit: false }).stdout.trim();
}
