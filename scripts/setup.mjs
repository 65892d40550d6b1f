// What `npm start` and `npm test` do before their real work, so a fresh clone needs nothing else:
// install npm dependencies when missing or stale, build, and bring up Kafka and Redis.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed with exit code ${result.status}`);
  }
}

export function ensureDependencies() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    console.log('[setup] installing npm dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
}

export function build() {
  console.log('[setup] building (npm run build)');
  run('npm', ['run', '--silent', 'build']);
}

/**
 * Brings up Kafka and Redis (reusing what already answers) and returns a function that stops
 * only what this call started, so a developer's own running infrastructure is left alone.
 */
export async function bringUpInfra() {
  const { up, down } = await import('./infra.mjs');
  const infra = await up();
  const startedRedis = Boolean(infra.redis && !infra.redis.reused);
  const startedKafka = Boolean(infra.kafka?.nodes?.some((n) => !n.reused));
  return async function release() {
    const { mode } = infra;
    if (startedKafka && startedRedis) await down({ mode });
    else if (startedKafka) await down({ mode, only: 'kafka' });
    else if (startedRedis) await down({ mode, only: 'redis' });
  };
}

/** Runs test files with node's test runner, one file at a time; resolves with its exit code. */
export function runTests(files, extra = [], env = {}) {
  // quiet-warnings: kafkajs#1751's warning, printed by most test files' kafkajs clients, is left out.
  const args = ['--enable-source-maps', '--import=./dist/test/support/quiet-warnings.js', '--test', '--test-reporter=spec', '--test-concurrency=1', ...extra, ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
