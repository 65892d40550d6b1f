import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { logProcessWarnings } from './process-warnings.js';

function recordingLogger() {
  const lines: Array<[level: string, message: string]> = [];
  return {
    lines,
    log: (m: string) => lines.push(['log', m]),
    error: (m: string) => lines.push(['error', m]),
    warn: (m: string) => lines.push(['warn', m]),
    debug: (m: string) => lines.push(['debug', m]),
  };
}

describe('logProcessWarnings', () => {
  let saved: NodeJS.WarningListener[];
  beforeEach(() => {
    saved = process.listeners('warning');
  });
  afterEach(() => {
    process.removeAllListeners('warning');
    for (const listener of saved) process.on('warning', listener);
  });

  it("replaces Node's printer: a warning becomes one warn line of the app's logger", async () => {
    const logger = recordingLogger();
    logProcessWarnings(logger);
    assert.equal(process.listenerCount('warning'), 1, "Node's own printer is gone");
    process.emitWarning('something to look at', 'ExperimentalWarning');
    await once(process, 'warning');
    assert.deepEqual(logger.lines, [['warn', 'ExperimentalWarning: something to look at']]);
  });

  it("logs kafkajs's negative timeout at debug, and the same warning from elsewhere as a warn", async () => {
    const logger = recordingLogger();
    logProcessWarnings(logger);
    const fromKafkajs = Object.assign(new Error('-1795666240814 is a negative number.\nTimeout duration was set to 1.'), {
      name: 'TimeoutNegativeWarning',
      stack: 'TimeoutNegativeWarning: ...\n    at RequestQueue.scheduleCheckPendingRequests (/app/node_modules/kafkajs/src/network/requestQueue/index.js:317:37)',
    });
    process.emitWarning(fromKafkajs);
    await once(process, 'warning');
    setTimeout(() => undefined, -5);
    await once(process, 'warning');
    assert.equal(logger.lines.length, 2);
    assert.equal(logger.lines[0][0], 'debug');
    assert.match(logger.lines[0][1], /^TimeoutNegativeWarning: -1795666240814 is a negative number.*kafkajs#1751/s);
    assert.deepEqual(logger.lines[1], ['warn', 'TimeoutNegativeWarning: -5 is a negative number.\nTimeout duration was set to 1.']);
  });
});
