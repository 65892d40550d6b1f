// Prometheus (Debian's package) scraping the topology with deploy/prometheus/prometheus.yml: the file is
// copied into a state directory beside the target files written for the instances actually running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, fail, log, mkdirp } from '../infra/common.mjs';
import { waitFor } from '../infra/wait.mjs';
import { systemBinary } from './system-binary.mjs';

export const PROMETHEUS_CONFIG = path.join(ROOT, 'deploy', 'prometheus', 'prometheus.yml');
export const JOBS = ['generator', 'processor', 'gateway', 'haproxy'];

/**
 * Starts Prometheus on 127.0.0.1:`port`, state in `dir` (emptied first), scraping `targets`
 * ({ generator: ['host:port'], processor: [...], gateway: [...], haproxy: [...] }).
 * Resolves { url, stop() } once it is ready.
 */
export async function startPrometheus({ port, dir, targets }) {
  const bin = systemBinary('prometheus', 'prometheus', 'Install Prometheus 2.x (Debian/Ubuntu: apt-get install prometheus, or https://prometheus.io/download/).');
  fs.rmSync(dir, { recursive: true, force: true });
  mkdirp(path.join(dir, 'targets'));
  fs.copyFileSync(PROMETHEUS_CONFIG, path.join(dir, 'prometheus.yml'));
  for (const job of JOBS) {
    fs.writeFileSync(path.join(dir, 'targets', `${job}.json`), JSON.stringify([{ targets: targets[job] ?? [] }], null, 2));
  }
  const child = spawn(bin, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = null;
  void exited.then((e) => (gone = e));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok, {
    timeoutMs: 60_000,
    intervalMs: 300,
    what: `Prometheus on ${url}`,
    abort: () => (gone ? `prometheus exited (${gone.signal ?? gone.code}):\n${output.slice(-3000)}` : null),
  }).catch((e) => {
    child.kill('SIGKILL');
    fail(e.message);
  });
  log(`Prometheus on ${url} scraping ${JOBS.map((j) => `${j} (${(targets[j] ?? []).length})`).join(', ')}`);
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
