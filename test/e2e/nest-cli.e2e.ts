import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AppName } from '../support/app-process.js';
import { isolatedEnv, startApp } from '../support/system.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** What a clone has that the Nest CLI reads; no dist/, so nothing built by `npm run build` is reused. */
const SOURCES = ['apps', 'libs', 'package.json', 'nest-cli.json', 'tsconfig.json', 'tsconfig.build.json'];
const NEST = path.join('node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
/**
 * By default `nest start` runs the app through `sh -c`, and a SIGTERM sent to the CLI alone stops the
 * shell and leaves the app running; with --no-shell the CLI passes the signal to the app itself.
 */
const START = ['start', '--no-shell'];
/** `nest start` compiles before it starts; on a loaded two-core machine that can take a while. */
const START_TIMEOUT_MS = 240_000;

/** Runs the Nest CLI in `cwd` to its end. */
function nest(cwd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NEST, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Whether the process is still there (signal 0 only checks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the Nest CLI builds and starts each app of the monorepo', { timeout: 900_000 }, () => {
  let clone: string;

  before(() => {
    clone = mkdtempSync(path.join(tmpdir(), 'stock-watchlist-nest-cli-'));
    for (const entry of SOURCES) cpSync(path.join(ROOT, entry), path.join(clone, entry), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
  });

  after(() => rmSync(clone, { recursive: true, force: true }));

  for (const name of ['generator', 'processor', 'gateway'] satisfies AppName[]) {
    it(`nest build ${name} compiles the app and the shared libs without specs; nest start ${name} runs it to a healthy /health`, { timeout: 600_000 }, async () => {
      const build = await nest(clone, ['build', name]);
      assert.equal(build.code, 0, build.output);
      assert.ok(existsSync(path.join(clone, 'dist', 'apps', name, 'src', 'main.js')), 'the entry file where package.json and nest start expect it');
      assert.ok(existsSync(path.join(clone, 'dist', 'libs', 'config', 'src', 'index.js')), 'libs where the #app/* imports map points');
      const specs = readdirSync(path.join(clone, 'dist'), { recursive: true }).map(String).filter((f) => f.endsWith('.spec.js'));
      assert.deepEqual(specs, [], 'no unit specs in the app build');

      const cli = await startApp(name, isolatedEnv(), { args: [NEST, ...START, name], cwd: clone }, START_TIMEOUT_MS);
      // The app's own pid, from its log lines (the CLI's pid is the parent's).
      const appPid = Number(new RegExp(`"app":"${name}","pid":(\\d+)`).exec(cli.output)?.[1]);
      try {
        assert.ok(appPid > 0 && appPid !== cli.pid, `the app logs as a process of its own:\n${cli.output.slice(-2000)}`);
        const health = await cli.health();
        assert.equal(health.status, 200, JSON.stringify(health.body));
      } finally {
        const exit = await cli.stop('SIGTERM');
        const orphaned = appPid > 0 && isRunning(appPid);
        if (orphaned) process.kill(appPid, 'SIGKILL');
        assert.equal(orphaned, false, 'SIGTERM to nest start stops the app, not only the CLI');
        assert.equal(exit.code, 0, `nest start exits with the app's code after it drained:\n${cli.output.slice(-2000)}`);
      }
    });
  }
});
