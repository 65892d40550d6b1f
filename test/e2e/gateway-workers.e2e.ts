import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { metric } from '../support/metrics.js';
import { isolatedEnv, startApp } from '../support/system.js';
import type { AppProcess } from '../support/app-process.js';
import { waitUntil } from '../support/wait-until.js';

const PER_ADDRESS = 1000;

/** Opens a socket from `localAddress`: the upgrade's status (101 when open) and, once open, its close code. */
function connect(url: string, localAddress: string): Promise<{ status: number; socket?: WebSocket; closed?: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { localAddress });
    socket.once('open', () => resolve({ status: 101, socket, closed: new Promise((done) => socket.once('close', (code) => done(code))) }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.once('error', (err) => (err.message.includes('Unexpected server response') ? undefined : reject(err)));
  });
}

async function connectMany(url: string, localAddress: string, count: number) {
  const results = [];
  for (let i = 0; i < count; i += 100) results.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => connect(url, localAddress)))));
  return results;
}

describe('GATEWAY_WORKERS=2: two gateway processes on one port, as one gateway', () => {
  let gateway: AppProcess;
  const sockets: WebSocket[] = [];

  before(async () => {
    gateway = await startApp('gateway', isolatedEnv({ GATEWAY_WORKERS: '2', WS_MAX_CONNECTIONS_PER_IP: String(PER_ADDRESS), LOG_LEVEL: 'log' }));
    await waitUntil('both workers listening', () => /2 gateway workers serving one port/.test(gateway.output), { timeoutMs: 60_000 });
  });

  after(async () => {
    for (const socket of sockets) socket.terminate();
    await gateway?.stop('SIGKILL');
  });

  it('holds the per-address cap over both workers, sums /metrics over them, and drains both on SIGTERM', async () => {
    const url = `ws://127.0.0.1:${gateway.port}/ws`;
    const fromTwo = await connectMany(url, '127.0.0.2', PER_ADDRESS + 50);
    const fromOne = await connectMany(url, '127.0.0.1', 500);
    const opened = [...fromTwo, ...fromOne].filter((r) => r.socket);
    sockets.push(...opened.map((r) => r.socket!));
    assert.equal(fromTwo.filter((r) => r.status === 101).length, PER_ADDRESS, 'one address gets its cap over both workers, not a cap per worker');
    assert.deepEqual(new Set(fromTwo.filter((r) => r.status !== 101).map((r) => r.status)), new Set([429]));
    assert.equal(fromOne.filter((r) => r.status === 101).length, 500, 'another address is not affected');

    for (let i = 0; i < 4; i++) {
      assert.equal(await metric(gateway.port, 'gateway_connections'), PER_ADDRESS + 500, 'every /metrics answer counts the connections of both workers');
    }

    const leaving = opened.shift()!;
    leaving.socket!.close();
    await leaving.closed;
    const again = await waitUntil('a place freed on one worker is free on the port', async () => {
      const r = await connect(url, '127.0.0.2');
      return r.status === 101 ? r : undefined;
    }, { timeoutMs: 10_000 });
    opened.push(again);
    sockets.push(again.socket!);

    const exit = gateway.stop('SIGTERM');
    const codes = await Promise.all(opened.map((r) => r.closed!));
    assert.equal(codes.filter((code) => code === 1001).length, opened.length, 'every client gets 1001');
    assert.equal((await exit).code, 0);
  });
});
