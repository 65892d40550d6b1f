// Shared helpers for scripts/infra: logging, paths, child processes, pid files, apt installs.
// Node builtins only: this runs before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = path.join(ROOT, '.cache');

let quiet = false;
/** Silence `[infra]` step lines (errors are still thrown). */
export function setQuiet(value) {
  quiet = Boolean(value);
}
export function log(msg) {
  if (!quiet) console.log(`[infra] ${msg}`);
}

export class InfraError extends Error {}
export function fail(msg) {
  throw new InfraError(msg);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function mkdirp(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Last `n` lines of a text file ('' if missing). */
export function tail(file, n = 40) {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Run a command to completion, capture output. Never throws for a missing binary. */
export function run(cmd, args, { timeout = 0, cwd = ROOT, env, inherit = false } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: env ?? process.env,
    timeout: timeout || undefined,
    encoding: 'utf8',
    stdio: inherit ? 'inherit' : 'pipe',
  });
  return { ok: r.status === 0 && !r.error, code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Async version (keeps the event loop free, e.g. to format several brokers in parallel). */
export function runAsync(cmd, args, { cwd = ROOT, env } = {}) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (error) => resolve({ ok: false, code: null, output: String(error), error }));
    child.on('close', (code) => resolve({ ok: code === 0, code, output: out }));
  });
}

/** Absolute path of an executable on PATH, or null. */
export function which(bin) {
  if (bin.includes('/')) return fs.existsSync(bin) ? bin : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

// ---- apt-get (Debian, root only) ---------------------------------------------------------------

let aptUpdated = false;
export function canApt() {
  return process.platform === 'linux' && process.getuid?.() === 0 && which('apt-get') !== null;
}
/** apt-get install -y <pkgs>; runs `apt-get update` once per process first. */
export function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log('apt-get update');
    run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  log(`apt-get install -y ${pkgs.join(' ')}`);
  const r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env });
  if (!r.ok) fail(`apt-get install ${pkgs.join(' ')} failed:\n${(r.stderr || r.stdout).trim().split('\n').slice(-10).join('\n')}`);
}

// ---- pid files ------------------------------------------------------------------------------------

export function readPid(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  // A zombie (exited, not yet reaped) is not alive for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Command line of a pid (Linux); null where /proc is unavailable. */
function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/**
 * Pid from `file` if that process is alive and (on Linux) its command line contains `marker`,
 * so a recycled pid never gets signalled. Removes a stale pid file.
 */
export function ownedPid(file, marker) {
  const pid = readPid(file);
  if (!pid) return null;
  const cmd = cmdline(pid);
  if (isAlive(pid) && (cmd === null || cmd.includes(marker))) return pid;
  fs.rmSync(file, { force: true });
  return null;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves to true if the process is gone. */
export async function stopPid(pid, { graceMs = 20_000, signal = 'SIGTERM' } = {}) {
  try {
    process.kill(pid, signal);
  } catch {
    return true;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(200);
  }
  log(`pid ${pid} still alive after ${graceMs / 1000}s, sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  for (let i = 0; i < 25 && isAlive(pid); i++) await sleep(200);
  return !isAlive(pid);
}

// ---- locking ----------------------------------------------------------------------------------------

const inProcess = new Map();
/**
 * Run `fn` holding an exclusive lock file, so that two `up`s racing (e.g. parallel test workers)
 * never start the same service twice. A lock whose owner process is gone is taken over.
 */
export function withLock(file, fn, { timeoutMs = 180_000 } = {}) {
  const prev = inProcess.get(file) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(async () => {
    mkdirp(path.dirname(file));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
        const owner = readPid(file);
        if (owner !== null && (owner === process.pid || !isAlive(owner))) fs.rmSync(file, { force: true });
        else if (Date.now() > deadline) fail(`timed out waiting for lock ${file} (held by pid ${owner})`);
        else await sleep(200);
      }
    }
    try {
      return await fn();
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
  inProcess.set(file, next);
  return next;
}
