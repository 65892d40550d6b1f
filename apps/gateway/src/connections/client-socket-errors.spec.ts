import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Logger } from '@nestjs/common';
import { CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS, ClientSocketErrors } from './client-socket-errors.js';

/** An error as `ws` emits it for a frame over maxPayload. */
const oversized = () => Object.assign(new RangeError('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });

describe('ClientSocketErrors', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    mock.method(Logger.prototype, 'warn', (line: string) => void lines.push(line));
    mock.method(Logger.prototype, 'error', (line: unknown) => void lines.push(String(line)));
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });

  it('counts every error but logs the first one, then one summary line per interval', () => {
    const errors = new ClientSocketErrors();
    for (let i = 0; i < 10_000; i++) errors.record(oversized());
    assert.equal(errors.total, 10_000);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /client socket error: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: Max payload size exceeded/);

    mock.timers.tick(CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS);
    assert.equal(lines.length, 2);
    assert.equal(lines[1], '9999 client socket errors in the last 10 s, last: WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: Max payload size exceeded');

    for (let i = 0; i < 500; i++) errors.record(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    mock.timers.tick(CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS);
    assert.equal(errors.total, 10_500);
    assert.deepEqual(lines.slice(2), ['500 client socket errors in the last 10 s, last: ECONNRESET: read ECONNRESET']);
  });

  it('goes quiet after an interval without errors and logs the next error at once', () => {
    const errors = new ClientSocketErrors();
    errors.record(oversized());
    mock.timers.tick(CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS);
    mock.timers.tick(CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS * 5);
    assert.equal(lines.length, 1, 'a quiet interval logs nothing');
    errors.record(new Error('Invalid WebSocket frame: invalid UTF-8 sequence'));
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^client socket error: Invalid WebSocket frame: invalid UTF-8 sequence/);
    assert.equal(errors.total, 2);
  });

  it('drops a pending summary on shutdown', () => {
    const errors = new ClientSocketErrors();
    errors.record(oversized());
    errors.record(oversized());
    errors.onApplicationShutdown();
    mock.timers.tick(CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS);
    assert.equal(lines.length, 1);
  });

  it('keeps a line short whatever the error message', () => {
    const errors = new ClientSocketErrors();
    errors.record(new Error('x'.repeat(10_000)));
    assert.ok(lines[0].length < 300);
  });
});
