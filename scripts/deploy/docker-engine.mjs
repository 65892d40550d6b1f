// A Docker engine for the deploy suite: the one that already answers, else a dockerd started here
// (Debian's docker.io, installed with apt-get when missing) and stopped again when the suite is done.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall, CACHE, canApt, fail, mkdirp, ownedPid, sleep, stopPid, tail, which } from '../infra/common.mjs';
import { dockerEngineAvailable } from '../infra/docker.mjs';
import { log } from './log.mjs';

const STATE = path.join(CACHE, 'deploy');
const PID_FILE = path.join(STATE, 'dockerd.pid');
const LOG_FILE = path.join(STATE, 'dockerd.log');

/**
 * Resolves to { started, stop() }. An engine that answers is used as it is, and `stop` leaves it
 * alone, unless this script started it in an earlier run that died before stopping it.
 */
export async function ensureDockerEngine() {
  const leftOver = ownedPid(PID_FILE, 'dockerd');
  if (dockerEngineAvailable()) {
    log(leftOver ? `using the dockerd an earlier run started (pid ${leftOver})` : 'using the Docker engine that answers');
    return { started: Boolean(leftOver), stop: () => (leftOver ? stopEngine(leftOver) : Promise.resolve()) };
  }
  if (!which('dockerd')) {
    if (!canApt()) fail('no Docker engine answers and dockerd is not installed: install Docker (Debian: apt-get install docker.io)');
    aptInstall(['docker.io']);
  }
  mkdirp(STATE);
  const out = fs.openSync(LOG_FILE, 'w');
  // Every container of the suite uses the host's network, so the engine needs no bridge and no
  // iptables rules: on a shared machine it changes nothing but its own files.
  const child = spawn('dockerd', ['--bridge=none', '--iptables=false', '--ip6tables=false'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(PID_FILE, `${child.pid}\n`);
  log(`started dockerd (pid ${child.pid}, log ${path.relative(process.cwd(), LOG_FILE)})`);
  for (let waited = 0; !dockerEngineAvailable(); waited += 500) {
    if (child.exitCode !== null || waited > 60_000) {
      await stopEngine(child.pid);
      fail(`dockerd did not answer within 60 s:\n${tail(LOG_FILE, 20)}`);
    }
    await sleep(500);
  }
  return { started: true, stop: () => stopEngine(child.pid) };
}

async function stopEngine(pid) {
  log(`stopping dockerd (pid ${pid})`);
  await stopPid(pid, { graceMs: 30_000 });
  fs.rmSync(PID_FILE, { force: true });
}
