// A real redis-server on 127.0.0.1, daemonized, state under .cache/redis-<port>/.
//
// If redis-server is missing and we are root on Debian, `apt-get install redis-server` is run.
// The Debian package starts (and enables) its own system service on 6379 with persistence
// turned on; we stop and disable that service right after installing, so that the instance on
// the port is always the one this script manages (loopback only, `down` stops it).
//
// Persistence: an append-only file fsynced every second in the instance's directory, which `down`
// and `up` keep, so a restart (of Redis, or of `npm start`) loads what was stored and a crash loses
// at most the last second of writes; the processor rebuilds that second from Kafka (docs/guarantees.md).
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, ROOT, aptInstall, canApt, fail, log, mkdirp, ownedPid, run, stopPid, tail, which, withLock } from './common.mjs';
import { redisPing, tcpOpen, waitFor, waitPortsClosed } from './wait.mjs';

const MARKER = 'redis-server';

/** An append-only file, fsynced every second, and no RDB snapshots (the AOF has an RDB preamble after a rewrite). */
export const REDIS_PERSISTENCE = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'];

export function redisLayout({ redisPort = 6379 } = {}) {
  const port = Number(redisPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`bad --redis-port ${redisPort}`);
  const dir = path.join(CACHE, `redis-${port}`);
  return { port, dir, pidFile: path.join(dir, 'redis.pid'), logFile: path.join(dir, 'redis.log'), url: `redis://127.0.0.1:${port}` };
}

function stopDistroService() {
  const systemd = fs.existsSync('/run/systemd/system');
  const r = systemd
    ? run('systemctl', ['disable', '--now', 'redis-server'], { timeout: 30_000 })
    : run('service', ['redis-server', 'stop'], { timeout: 30_000 });
  log(`stopped the Debian redis-server system service (${r.ok ? 'ok' : 'was not running'}); this script runs its own instance`);
}

export function redisServerBin() {
  const bin = which('redis-server') ?? which('/usr/bin/redis-server');
  if (bin) return bin;
  if (!canApt()) {
    fail('redis-server not found. Install Redis 7 (Debian/Ubuntu: apt-get install redis-server, macOS: brew install redis) or use Docker (docker compose up -d redis).');
  }
  aptInstall(['redis-server']);
  stopDistroService();
  return which('redis-server') ?? which('/usr/bin/redis-server') ?? fail('redis-server still not found after apt-get install');
}

async function reuse(l) {
  const pong = await redisPing(l.port);
  if (!pong) return null;
  const pid = ownedPid(l.pidFile, MARKER);
  log(`Redis on 127.0.0.1:${l.port} ${pid ? `already running (pid ${pid})` : 'already answering (not started by this script), reusing it'}` +
    (pong === '+PONG' ? '' : ` - note: PING answered "${pong}"`));
  return { port: l.port, url: l.url, pid, reused: true };
}

/** Start (or reuse) redis-server. Resolves { port, url, pid, reused }. */
export async function startRedis(opts = {}) {
  const l = redisLayout(opts);
  return withLock(path.join(l.dir, '.lock'), () => start(l));
}

async function start(l) {
  const existing = await reuse(l);
  if (existing) return existing;
  const bin = redisServerBin();
  const again = await reuse(l); // a freshly installed system service may have been stopped too slowly
  if (again) return again;
  if (await tcpOpen(l.port)) fail(`127.0.0.1:${l.port} is in use by something that does not answer Redis PING`);
  mkdirp(l.dir);
  const t0 = Date.now();
  const r = run(bin, [
    '--port', String(l.port), '--bind', '127.0.0.1', ...REDIS_PERSISTENCE,
    '--daemonize', 'yes', '--pidfile', l.pidFile, '--logfile', l.logFile, '--dir', l.dir,
  ], { timeout: 15_000 });
  if (!r.ok) fail(`redis-server failed to start (exit ${r.code}): ${(r.stderr + r.stdout).trim()}\n${tail(l.logFile, 20)}`);
  await waitFor(async () => (await redisPing(l.port)) === '+PONG', {
    timeoutMs: 20_000, intervalMs: 100, what: `Redis PING on 127.0.0.1:${l.port}`,
  }).catch((e) => fail(`${e.message}\n--- last lines of ${path.relative(ROOT, l.logFile)} ---\n${tail(l.logFile, 20)}`));
  // The pid file is written by redis itself right after daemonizing.
  await waitFor(async () => ownedPid(l.pidFile, MARKER), { timeoutMs: 5000, intervalMs: 100, what: 'redis pid file' }).catch(() => {});
  const pid = ownedPid(l.pidFile, MARKER);
  log(`Redis on 127.0.0.1:${l.port} started (pid ${pid}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return { port: l.port, url: l.url, pid, reused: false };
}

/** Stop redis-server if (and only if) our pid file says we started it. */
export async function stopRedis(opts = {}) {
  const l = redisLayout(opts);
  return withLock(path.join(l.dir, '.lock'), () => stop(l));
}

async function stop(l) {
  const pid = ownedPid(l.pidFile, MARKER);
  if (pid) {
    if (!(await stopPid(pid))) fail(`could not stop Redis (pid ${pid})`);
    fs.rmSync(l.pidFile, { force: true });
    await waitPortsClosed([l.port]);
    log(`Redis on 127.0.0.1:${l.port} stopped (pid ${pid})`);
    return true;
  }
  if (await redisPing(l.port)) log(`Redis on 127.0.0.1:${l.port} was not started by this script, leaving it alone`);
  else log(`Redis on 127.0.0.1:${l.port} not running`);
  return false;
}

export async function redisStatus(opts = {}) {
  const l = redisLayout(opts);
  const pong = await redisPing(l.port);
  return { port: l.port, pid: ownedPid(l.pidFile, MARKER), up: pong === '+PONG', reply: pong };
}

/** Ports of every Redis this script has state for under .cache. */
export function knownRedisPorts() {
  if (!fs.existsSync(CACHE)) return [];
  return fs.readdirSync(CACHE).flatMap((d) => {
    const m = /^redis-(\d+)$/.exec(d);
    return m ? [Number(m[1])] : [];
  });
}
