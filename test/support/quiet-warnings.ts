/**
 * Loaded into every test process (`scripts/setup.mjs` passes it to `node --test` with --import): prints
 * Node's process warnings as Node does, but for kafkajs's negative timeout, which the tests' own kafkajs
 * clients raise in most files (kafkajs#1751, harmless: libs/runtime's process-warnings.ts logs it at
 * debug in the apps for the same reason).
 */
process.removeAllListeners('warning');
process.on('warning', (warning: Error) => {
  if (warning.name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(warning.stack ?? '')) return;
  process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
});
