#!/usr/bin/env node
// `npm start`: installs and builds what is missing, brings up Kafka and Redis, and runs the generator,
// processor and gateway with prefixed logs until Ctrl-C; then stops the apps gracefully and the
// infrastructure it started. On a Node older than supported it runs on a fetched Node 24 LTS (see
// supported-node.mjs). Reads ./.env (if present) on top of the defaults in .env.example.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { bringUpInfra, build, ensureDependencies, ROOT } from './setup.mjs';
import { ensureSupportedNode } from './supported-node.mjs';

const APPS = [
  { name: 'processor', color: 35 },
  { name: 'gateway', color: 36 },
  { name: 'generator', color: 33 },
];
const useColor = process.stdout.isTTY;

function prefixLines(stream, label, color) {
  const tag = useColor ? `\x1b[${color}m[${label}]\x1b[0m ` : `[${label}] `;
  let partial = '';
  stream.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) process.stdout.write(tag + line + '\n');
  });
}

await ensureSupportedNode();
ensureDependencies();
build();
const releaseInfra = await bringUpInfra();
const env = { LOG_FORMAT: 'text', ...process.env };
const dotenv = path.join(ROOT, '.env');
if (existsSync(dotenv)) Object.assign(env, parseEnv(readFileSync(dotenv, 'utf8')), process.env);

const children = APPS.map(({ name, color }) => {
  const child = spawn(process.execPath, ['--enable-source-maps', `dist/apps/${name}/src/main.js`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout, name, color);
  prefixLines(child.stderr, name, color);
  return { name, child, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ name, code, signal }))) };
});
console.log('[start] watchlist: ws://localhost:8081/ws  page: http://localhost:8081/  (Ctrl-C to stop)');

let stopping = false;
async function stop(reason) {
  if (stopping) return;
  stopping = true;
  console.log(`[start] ${reason}: stopping the apps`);
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  const exits = await Promise.all(children.map((c) => c.exited));
  for (const e of exits) console.log(`[start] ${e.name} exited ${e.signal ?? e.code}`);
  await releaseInfra();
  process.exit(exits.every((e) => e.code === 0) ? 0 : 1);
}
process.on('SIGINT', () => stop('Ctrl-C'));
process.on('SIGTERM', () => stop('SIGTERM'));
for (const c of children) c.exited.then((e) => stop(`${e.name} exited (${e.signal ?? e.code})`));
