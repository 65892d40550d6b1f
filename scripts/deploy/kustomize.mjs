// Kustomize, to render deploy/k8s the way `kubectl apply -k` does. Built once from its Go module
// (the Go module proxy is reachable where a download site is not) into .cache/deploy/bin.
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, fail, run, which } from '../infra/common.mjs';
import { log } from './log.mjs';

const MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
const VERSION = 'v5.8.1';
const BIN_DIR = path.join(CACHE, 'deploy', 'bin');
const STAMP = path.join(BIN_DIR, 'kustomize.version');

/** Path of a kustomize binary of the pinned version, building it when missing. */
export function ensureKustomize() {
  const bin = path.join(BIN_DIR, 'kustomize');
  if (fs.existsSync(bin) && fs.readFileSync(STAMP, { encoding: 'utf8', flag: 'a+' }).trim() === VERSION) return bin;
  if (!which('go')) fail(`kustomize ${VERSION} is built with Go, which is not installed (Go 1.22 or newer)`);
  log(`building kustomize ${VERSION} with go install (about two minutes the first time)`);
  fs.mkdirSync(BIN_DIR, { recursive: true });
  const r = run('go', ['install', `${MODULE}@${VERSION}`], { env: { ...process.env, GOBIN: BIN_DIR }, timeout: 10 * 60_000 });
  if (!r.ok) fail(`go install ${MODULE}@${VERSION} failed:\n${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`);
  fs.writeFileSync(STAMP, `${VERSION}\n`);
  return bin;
}
