import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { of } from 'rxjs';
import { WebSocket, type WebSocketServer } from 'ws';
import { LeanWsAdapter } from './lean-ws.adapter.js';

/** A client socket as the adapter sees it: events in, frames out. */
class FakeClient extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  readonly sent: string[] = [];
  send(data: string) {
    this.sent.push(data);
  }
}

function setup(parse: (data: unknown) => { event: string; data: unknown } | void = (data) => JSON.parse(String(data))) {
  const adapter = new LeanWsAdapter(undefined, { messageParser: parse as never });
  const errors: unknown[] = [];
  Object.defineProperty(adapter, 'logger', { value: { error: (err: unknown) => errors.push(err) } });
  const calls: string[] = [];
  /** Handlers as Nest binds them to a client: (data, event), async, the result replied when not empty. */
  const handler = (message: string, callback: MessageMappingProperties['callback']) => ({ message, methodName: message, callback, isAckHandledManually: false });
  const handlersFor = (client: FakeClient): MessageMappingProperties[] => [
    handler('echo', async (data: unknown) => (calls.push(`echo ${data}`), { type: 'echo', data })),
    handler('quiet', async (data: unknown) => void calls.push(`quiet ${data} ${client.sent.length}`)),
    handler('fail', async () => Promise.reject(new Error('handler bug'))),
    handler('throw', () => {
      throw new Error('sync bug');
    }),
  ];
  const connect = () => {
    const client = new FakeClient();
    adapter.bindMessageHandlers(client as unknown as WebSocket, handlersFor(client), (value) => of(value));
    return client;
  };
  return { adapter, connect, calls, errors };
}

const frame = (event: string, data?: unknown) => Buffer.from(JSON.stringify({ event, data }));

describe('LeanWsAdapter', () => {
  it('routes each frame to the handler of its event, per client, and replies only non-empty results', async () => {
    const { connect, calls } = setup();
    const a = connect();
    const b = connect();
    a.emit('message', frame('quiet', 1));
    b.emit('message', frame('echo', 2));
    a.emit('message', frame('unknown', 3));
    await tick();
    assert.deepEqual(calls, ['quiet 1 0', 'echo 2']);
    assert.deepEqual(a.sent, []);
    assert.deepEqual(b.sent, ['{"type":"echo","data":2}']);
    assert.equal(a.listenerCount('message'), 1, 'one plain listener, no per-client pipeline');
  });

  it('logs a handler that throws or rejects and goes on with the socket next frames', async () => {
    const { connect, calls, errors } = setup();
    const client = connect();
    client.emit('message', frame('throw'));
    client.emit('message', frame('fail'));
    client.emit('message', frame('quiet', 'after'));
    await tick();
    assert.deepEqual((errors as Error[]).map((e) => e.message), ['sync bug', 'handler bug']);
    assert.deepEqual(calls, ['quiet after 0']);
  });

  it('logs a parser that throws (a bug: ours turns bad frames into events) and drops a frame it returns nothing for', async () => {
    const { connect, calls, errors } = setup((data) => {
      const text = String(data);
      if (text === 'boom') throw new Error('parser bug');
      return text === 'skip' ? undefined : { event: 'quiet', data: text };
    });
    const client = connect();
    client.emit('message', Buffer.from('boom'));
    client.emit('message', Buffer.from('skip'));
    client.emit('message', Buffer.from('kept'));
    await tick();
    assert.deepEqual((errors as Error[]).map((e) => e.message), ['parser bug']);
    assert.deepEqual(calls, ['quiet kept 0']);
  });

  it('does not reply to a socket that closed while its handler ran', async () => {
    const { connect } = setup();
    const client = connect();
    client.emit('message', frame('echo', 1));
    client.readyState = WebSocket.CLOSED;
    await tick();
    assert.deepEqual(client.sent, []);
  });

  it('hands socket errors to onSocketError, which a subclass may replace, and logs the server errors', () => {
    const socketErrors: string[] = [];
    class CountingAdapter extends LeanWsAdapter {
      constructor() {
        super(undefined, {});
        this.onSocketError = (err) => void socketErrors.push(err.message);
      }
    }
    const adapter = new CountingAdapter();
    const logged: string[] = [];
    Object.defineProperty(adapter, 'logger', { value: { error: (err: Error) => logged.push(err.message) } });
    const server = new EventEmitter();
    adapter.bindErrorHandler(server as unknown as WebSocketServer);
    const client = new FakeClient();
    server.emit('connection', client);
    client.emit('error', new Error('Max payload size exceeded'));
    server.emit('error', new Error('listen EADDRINUSE'));
    assert.deepEqual(socketErrors, ['Max payload size exceeded']);
    assert.deepEqual(logged, ['listen EADDRINUSE']);
  });

  it('calls the disconnect callback on close and shares one error listener between sockets', () => {
    const { adapter, errors } = setup();
    const server = new EventEmitter();
    adapter.bindErrorHandler(server as unknown as WebSocketServer);
    const a = new FakeClient();
    const b = new FakeClient();
    server.emit('connection', a);
    server.emit('connection', b);
    assert.equal(a.listeners('error')[0], b.listeners('error')[0]);
    a.emit('error', new Error('bad frame'));
    assert.deepEqual((errors as Error[]).map((e) => e.message), ['bad frame']);
    server.emit('error', new Error('listen EADDRINUSE'));
    assert.deepEqual((errors as Error[]).map((e) => e.message), ['bad frame', 'listen EADDRINUSE']);
    let closes = 0;
    adapter.bindClientDisconnect(a as unknown as WebSocket, () => closes++);
    a.emit('close', 1000);
    assert.equal(closes, 1);
  });
});
