import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { RESERVED_FILES } from '../../apps/gateway/src/connections/open-files-limit.js';
import { AppProcess, builtApp } from '../support/app-process.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv, PORT_VARIABLE } from '../support/system.js';
import { upgradeStatus } from '../support/upgrade-status.js';

/** The soft and hard open-files limit the gateway is started under: room for 44 clients after the reserve. */
const OPEN_FILES = RESERVED_FILES + 44;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('a gateway started under a low open-files limit, over real sockets', () => {
  let gateway: AppProcess;
  const sockets: WebSocket[] = [];

  before(async () => {
    const port = await freePort();
    const launch = builtApp('gateway');
    gateway = await AppProcess.start(
      'gateway',
      port,
      isolatedEnv({ [PORT_VARIABLE.gateway]: String(port), WS_MAX_CONNECTIONS: '200000', WS_MAX_CONNECTIONS_PER_IP: '200000' }),
      undefined,
      { command: 'prlimit', args: [`--nofile=${OPEN_FILES}:${OPEN_FILES}`, process.execPath, ...launch.args], cwd: launch.cwd },
    );
  });

  after(async () => {
    for (const socket of sockets) socket.terminate();
    await gateway?.stop();
  });

  it('refuses upgrades with 503 past the limit less its reserve, whatever WS_MAX_CONNECTIONS says, keeps /health answering, and logs why once', async () => {
    const url = `ws://127.0.0.1:${gateway.port}/ws`;
    for (let i = 0; i < 44; i++) sockets.push(await open(url));
    const refused = await Promise.all(Array.from({ length: 20 }, () => upgradeStatus(url)));
    assert.deepEqual(new Set(refused), new Set([503]));
    assert.equal((await gateway.health('/health/live')).status, 200);
    assert.equal((await gateway.health('/health')).status, 200);
    assert.ok(sockets.every((s) => s.readyState === WebSocket.OPEN), 'those connected stay connected');
    const warnings = gateway.output.split('\n').filter((line) => line.includes('raise the open-files limit'));
    assert.equal(warnings.length, 1, gateway.output.slice(-2000));
    sockets.pop()!.close();
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 101; tries++) status = await upgradeStatus(url);
    assert.equal(status, 101, 'a place freed is a place taken');
  });
});
