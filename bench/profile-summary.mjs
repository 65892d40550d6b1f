#!/usr/bin/env node
// Summarises a V8 .cpuprofile (as `npm run bench -- --profile` writes to bench/profiles/): self time
// by function and by package or source file, and inclusive time of our own functions, so a profile can
// be read in a terminal and quoted in BENCHMARKS.md.
//   node bench/profile-summary.mjs bench/profiles/<file>.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]');
  process.exit(1);
}
const top = Number(rest[rest.indexOf('--top') + 1]) || 25;
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample: the deltas between sample timestamps (microseconds).
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(frame) {
  const url = frame.url ?? '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/(.+)$/.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return url;
  return url === '' ? `(${frame.functionName || 'native'})` : url;
}
/** A function with its file: the path inside its package, or inside dist/. */
function fileOf(frame) {
  const url = frame.url ?? '';
  const inPackage = /node_modules\/(.+)$/.exec(url);
  return inPackage ? inPackage[1] : where(frame);
}
const label = (f) => `${f.functionName || '(anonymous)'} ${fileOf(f)}:${f.lineNumber + 1}`;

const selfByFn = new Map();
const selfByWhere = new Map();
const inclusiveOurs = new Map();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  const f = node.callFrame;
  selfByFn.set(label(f), (selfByFn.get(label(f)) ?? 0) + us);
  selfByWhere.set(where(f), (selfByWhere.get(where(f)) ?? 0) + us);
  // inclusive: charge every distinct function of ours on the stack once
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    if (!/\/dist\/(apps|libs)\//.test(cf.url)) continue;
    const l = label(cf);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusiveOurs.set(l, (inclusiveOurs.get(l) ?? 0) + us);
  }
}

const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
const print = (title, map, n = top) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(us)}  ${k}`);
};
const idle = selfByWhere.get('((idle))') ?? 0;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${pct(total - idle).trim()} not idle`);
print('self time by package / file', selfByWhere, 15);
print('self time by function', selfByFn);
print('inclusive time of our functions (apps/, libs/)', inclusiveOurs, 15);
