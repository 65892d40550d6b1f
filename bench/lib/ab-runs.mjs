// The A/B mode of `npm run bench -- --against=<rev>`: this machine's absolute figures drift by 2x within
// an hour, so a claim compares the current tree with a fixed revision in one run, alternating. The
// revision is exported (git archive) into a private directory and built there once (kept by commit in
// the temp directory for the next run); each side then runs the selected benchmarks in a child
// `bench/run.mjs --child`, whose apps and test harness come from that side's dist/ while the benchmark
// code is this tree's, so both sides are measured by the same instrument. Pairs alternate which side
// goes first (ABBA), so a drift over the run does not favour one side.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './build-snapshot.mjs';
import { track, untrack } from './teardown.mjs';

/**
 * The revision's tree built in a directory of its own: `git archive` rather than `git worktree add`, so
 * nothing is registered in the shared repository and a killed run leaves nothing to prune.
 */
export function buildRevision(rev, report) {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: REPO, encoding: 'utf8' }).trim();
  const dir = path.join(tmpdir(), `stock-watchlist-bench-rev-${sha.slice(0, 12)}`);
  const done = path.join(dir, 'dist', '.bench-built');
  if (existsSync(done)) {
    report.log(`A/B: ${rev} (${sha.slice(0, 7)}) already built in ${dir}`);
    return { sha, dir };
  }
  report.log(`A/B: exporting and building ${rev} (${sha.slice(0, 7)}) in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', sha], { cwd: REPO, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${sha} failed: ${archive.stderr}`);
  execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const tsc = path.join(REPO, 'node_modules', '.bin', 'tsc');
  const build = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`building ${rev} failed (tsc exit ${build.status})`);
  // The watchlist page's bundle (vite) is not part of any benchmark; the gateway only needs the directory.
  const web = path.join(REPO, 'dist', 'web');
  if (!existsSync(path.join(dir, 'dist', 'web')) && existsSync(web)) cpSync(web, path.join(dir, 'dist', 'web'), { recursive: true });
  writeFileSync(done, `${sha}\n`);
  return { sha, dir };
}

/**
 * Runs `pairs` pairs of children, alternating sides; returns every result line each side emitted,
 * tagged with its side and pair.
 */
export async function runPairs({ sides, pairs, childArgs, report }) {
  const results = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      report.log(`A/B: pair ${pair + 1}/${pairs}, ${side.name}`);
      const lines = await runChild(side.dir, childArgs);
      for (const result of lines) results.push({ ...result, side: side.name, pair });
    }
  }
  return results;
}

/** One `run.mjs --child` whose apps come from `root`; resolves with the JSON lines it printed. */
function runChild(root, childArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bench', 'run.mjs'), '--child', `--root=${root}`, ...childArgs], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    track('bench-child', child.pid);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      untrack(child.pid);
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      if (code !== 0 && lines.length === 0) reject(new Error(`bench child for ${root} exited ${code} with no result`));
      else resolve(lines);
    });
  });
}
