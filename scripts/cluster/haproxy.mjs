// HAProxy in front of the gateways, run from deploy/haproxy/haproxy.cfg with the addresses in its
// environment variables. Started in the foreground (-db) as a child process, so it stops with its owner.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, fail, log } from '../infra/common.mjs';
import { waitFor } from '../infra/wait.mjs';
import { systemBinary } from './system-binary.mjs';

export const HAPROXY_CONFIG = path.join(ROOT, 'deploy', 'haproxy', 'haproxy.cfg');
const GATEWAY_SLOTS = 3;

/**
 * Starts HAProxy on `port` (the watchlist) and `statsPort` (its /metrics and /stats) in front of three
 * gateways (`host:port`). Resolves { url, statsUrl, pid, output(), stop() } once it answers.
 */
export async function startHaproxy({ port, statsPort, gateways, onLine }) {
  if (gateways.length !== GATEWAY_SLOTS) fail(`deploy/haproxy/haproxy.cfg has ${GATEWAY_SLOTS} gateway slots, got ${gateways.length} gateways`);
  const bin = systemBinary('haproxy', 'haproxy', 'Install HAProxy 2.4 or newer (Debian/Ubuntu: apt-get install haproxy, macOS: brew install haproxy).');
  const env = {
    ...process.env,
    WATCHLIST_BIND: `127.0.0.1:${port}`,
    HAPROXY_STATS_BIND: `127.0.0.1:${statsPort}`,
    ...Object.fromEntries(gateways.map((address, i) => [`GATEWAY_${i + 1}`, address])),
  };
  const child = spawn(bin, ['-db', '-f', HAPROXY_CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => {
    output += chunk;
    if (onLine) for (const line of String(chunk).split('\n')) if (line) onLine(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = null;
  void exited.then((e) => (gone = e));
  const statsUrl = `http://127.0.0.1:${statsPort}`;
  await waitFor(async () => (await fetch(`${statsUrl}/stats;csv`, { signal: AbortSignal.timeout(1000) })).ok, {
    timeoutMs: 20_000,
    intervalMs: 200,
    what: `HAProxy stats on ${statsUrl}`,
    abort: () => (gone ? `haproxy exited (${gone.signal ?? gone.code}):\n${output}` : null),
  }).catch((e) => {
    child.kill('SIGKILL');
    fail(e.message);
  });
  log(`HAProxy on 127.0.0.1:${port} in front of ${gateways.join(', ')} (stats ${statsUrl}/stats)`);
  return {
    url: `http://127.0.0.1:${port}`,
    statsUrl,
    pid: child.pid,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What HAProxy says of each gateway: { 'gateway-1': 'UP' | 'DOWN' | ..., ... }, from its stats CSV. */
export async function gatewayStates(statsUrl) {
  const csv = await (await fetch(`${statsUrl}/stats;csv`, { signal: AbortSignal.timeout(2000) })).text();
  const [header, ...rows] = csv.trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const at = (name) => columns.indexOf(name);
  const states = {};
  for (const row of rows) {
    const cells = row.split(',');
    if (cells[at('pxname')] === 'gateways' && cells[at('svname')].startsWith('gateway-')) states[cells[at('svname')]] = cells[at('status')];
  }
  return states;
}
