#!/usr/bin/env node
// `npm run images`: builds the three app images from the Dockerfile, each tagged
// stock-watchlist/<app>:<package.json version> and :latest (the names the compose file and the
// Kubernetes manifests use). Extra arguments go to every `docker build` (e.g. --no-cache, --pull).
//
// The build runs on the host's network (`--network host`) so that `npm ci` inside it reaches the npm
// registry the way npm on the host does, through the same proxy or mirror if there is one.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const APPS = ['generator', 'processor', 'gateway'];
export const VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

/** `stock-watchlist/<app>:<version>`, the image the compose file and the manifests name. */
export function imageName(app, tag = VERSION) {
  return `stock-watchlist/${app}:${tag}`;
}

function dockerBuild(app, extraArgs) {
  const args = ['build', '--network', 'host', '--target', app, '-t', imageName(app), '-t', imageName(app, 'latest'), ...extraArgs, '.'];
  console.error(`[images] docker ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker build --target ${app} failed with exit code ${code}`))));
  });
}

/** Builds the images one after the other; the shared stages are built once and then come from the cache. */
export async function buildImages(extraArgs = []) {
  for (const app of APPS) await dockerBuild(app, extraArgs);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildImages(process.argv.slice(2)).then(
    () => console.error(`[images] built ${APPS.map((a) => imageName(a)).join(', ')}`),
    (err) => {
      console.error(`[images] ${err.message}`);
      process.exit(1);
    },
  );
}
