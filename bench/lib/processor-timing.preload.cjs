// Preloaded into the processor by bench/processor-hops.mjs (never in production): times kafkajs' fetch
// loop, the processor's batches and its Redis script calls, each from the tick's own timestamp, and
// writes percentiles to $PROCESSOR_TIMING_OUT on SIGUSR2 (then starts afresh). It wraps kafkajs' and
// ioredis' CommonJS prototypes, which the processor loads from the same node_modules.
const path = require('node:path');
const { writeFileSync } = require('node:fs');

const modules = path.resolve(__dirname, '..', '..', 'node_modules');
const Runner = require(path.join(modules, 'kafkajs/src/consumer/runner.js'));
const OffsetManager = require(path.join(modules, 'kafkajs/src/consumer/offsetManager/index.js'));
const Redis = require(path.join(modules, 'ioredis/built/index.js')).default;

const now = () => performance.timeOrigin + performance.now();
const TIMESTAMP = /"timestamp":(\d+)/;
let samples = {};
const record = (name, ms) => (samples[name] ??= []).push(ms);

const fetch = Runner.prototype.fetch;
Runner.prototype.fetch = async function (nodeId) {
  const started = now();
  const batches = await fetch.call(this, nodeId);
  const fetched = now();
  record('fetch wait', fetched - started);
  for (const batch of batches) {
    if (batch.isEmpty()) continue;
    const ts = Number(TIMESTAMP.exec(batch.messages[0].value.toString())?.[1]);
    if (ts) record('tick age when fetched', fetched - ts);
  }
  return batches;
};

const processEachBatch = Runner.prototype.processEachBatch;
Runner.prototype.processEachBatch = async function (batch) {
  const started = now();
  await processEachBatch.call(this, batch);
  record('batch handler', now() - started);
};

const commitOffsets = OffsetManager.prototype.commitOffsets;
OffsetManager.prototype.commitOffsets = async function (...args) {
  const started = now();
  try {
    return await commitOffsets.apply(this, args);
  } finally {
    record('offset commit', now() - started);
  }
};

const evalsha = Redis.prototype.evalsha;
Redis.prototype.evalsha = function (...args) {
  const sent = now();
  const quote = args.find((a) => typeof a === 'string' && a.startsWith('{"symbol"'));
  const ts = quote ? Number(TIMESTAMP.exec(quote)?.[1]) : 0;
  const reply = evalsha.apply(this, args);
  if (ts) {
    record('tick age when the script is sent', sent - ts);
    reply.then(() => {
      record('tick age when the script answers', now() - ts);
      record('script round trip', now() - sent);
    }, () => undefined);
  }
  return reply;
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
process.on('SIGUSR2', () => {
  const out = {};
  for (const [name, list] of Object.entries(samples)) {
    const sorted = list.sort((a, b) => a - b);
    out[name] = { n: sorted.length, p50: +percentile(sorted, 0.5).toFixed(2), p90: +percentile(sorted, 0.9).toFixed(2), p99: +percentile(sorted, 0.99).toFixed(2) };
  }
  if (process.env.PROCESSOR_TIMING_OUT) writeFileSync(process.env.PROCESSOR_TIMING_OUT, JSON.stringify(out));
  samples = {};
});
