// Builds the apps (incremental tsc into dist/, never a clean rebuild that would pull dist/ from under
// someone's running tests) and copies dist/ with package.json into a private directory, so the apps a
// benchmark spawns keep running the code it started with even if someone rebuilds dist/ meanwhile.
// The harness finds the apps relative to itself, so importing it from the copy spawns the copy.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..', '..');

export function buildApps() {
  const tsc = path.join(REPO, 'node_modules', '.bin', 'tsc');
  const result = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${result.status}); fix the build or pass --no-build`);
}

/** Copies dist/ and package.json to a new temporary directory; returns it and a function removing it. */
export function snapshotDist() {
  const dir = mkdtempSync(path.join(tmpdir(), 'stock-watchlist-bench-'));
  cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
  cpSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
