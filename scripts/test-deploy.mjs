#!/usr/bin/env node
// `npm run test:deploy`: the deployment suite, kept apart from `npm test` because it builds container
// images. Installs and builds what is missing, brings up Kafka and Redis, starts a Docker engine if none
// answers, makes the Dockerfile's base image if the engine lacks it (scripts/deploy/node-base-image.mjs),
// builds the three images (`npm run images`), builds kustomize, then runs test/deploy/*.deploy.ts with
// node's test runner. Stops the engine and the infrastructure it started. Extra arguments go to `node --test`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureDockerEngine } from './deploy/docker-engine.mjs';
import { ensureKustomize } from './deploy/kustomize.mjs';
import { log } from './deploy/log.mjs';
import { ensureNodeBaseImage } from './deploy/node-base-image.mjs';
import { buildImages } from './images.mjs';
import { bringUpInfra, build, ensureDependencies, ROOT, runTests } from './setup.mjs';
import { ensureSupportedNode } from './supported-node.mjs';

function testFiles() {
  const dir = path.join(ROOT, 'dist', 'test', 'deploy');
  return readdirSync(dir).filter((f) => f.endsWith('.deploy.js')).sort().map((f) => path.join('dist', 'test', 'deploy', f));
}


await ensureSupportedNode();
ensureDependencies();
build();
// Kafka and Redis first, before an engine of ours answers: infra.mjs chooses compose where an engine
// answers and compose is installed, and the engine this script may start has no Kafka or Redis image.
const releaseInfra = await bringUpInfra();
let code = 1;
try {
  const engine = await ensureDockerEngine();
  try {
    await ensureNodeBaseImage();
    await buildImages();
    const kustomize = ensureKustomize();
    log('running the deploy suite');
    code = await runTests(testFiles(), process.argv.slice(2), { KUSTOMIZE: kustomize });
  } finally {
    await engine.stop();
  }
} catch (err) {
  console.error(`[deploy] ${err.message}`);
} finally {
  await releaseInfra();
}
process.exit(code);
