#!/usr/bin/env node
// `npm test`: installs and builds what is missing, brings up the real Kafka and Redis (reusing running
// ones), runs every unit, integration and end-to-end test with node's test runner, and stops the
// infrastructure it started; on a Node older than supported it runs on a fetched Node 24 LTS (see
// supported-node.mjs). Extra arguments are passed to `node --test` (e.g. --test-name-pattern).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { bringUpInfra, build, ensureDependencies, ROOT, runTests } from './setup.mjs';
import { ensureSupportedNode } from './supported-node.mjs';

function testFiles() {
  const dist = path.join(ROOT, 'dist');
  return readdirSync(dist, { recursive: true })
    .map(String)
    .filter((f) => /\.(spec|e2e)\.js$/.test(f) && !f.includes('node_modules'))
    .sort((a, b) => Number(a.endsWith('.e2e.js')) - Number(b.endsWith('.e2e.js')) || a.localeCompare(b))
    .map((f) => path.join('dist', f));
}


await ensureSupportedNode();
ensureDependencies();
build();
const releaseInfra = await bringUpInfra();
let code = 1;
try {
  code = await runTests(testFiles(), process.argv.slice(2));
} finally {
  await releaseInfra();
}
process.exit(code);
