import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { RawSocketAccess } from './raw-socket-access.js';
import { RawSocketUnavailableError } from './raw-socket-unavailable.error.js';

/** A server as the gateway's adapter creates it: no listening socket of its own, no compression. */
function server(options: Partial<ConstructorParameters<typeof WebSocketServer>[0]> = {}) {
  return new WebSocketServer({ noServer: true, perMessageDeflate: false, ...options });
}

/** What a `ws` release that renamed the private field would look like. */
class RenamedFieldWebSocket extends WebSocket {
  setSocket(socket: Socket, head: Buffer, options: object) {
    (WebSocket.prototype as unknown as { setSocket: (...args: unknown[]) => void }).setSocket.call(this, socket, head, options);
    const self = this as unknown as Record<string, unknown>;
    self.socket = self._socket;
    delete self._socket;
  }
}

describe('RawSocketAccess', () => {
  it("accepts the installed ws: an upgraded WebSocket keeps its net.Socket in _socket", () => {
    assert.doesNotThrow(() => RawSocketAccess.assertUsableBy(server()));
  });

  it('fails the start with WS_RAW_SOCKET_UNAVAILABLE when a ws release moves the socket elsewhere', () => {
    const renamed = server({ WebSocket: RenamedFieldWebSocket as typeof WebSocket });
    assert.throws(
      () => RawSocketAccess.assertUsableBy(renamed),
      (err: unknown) => err instanceof RawSocketUnavailableError && err.code === 'WS_RAW_SOCKET_UNAVAILABLE' && /_socket/.test(err.message),
    );
  });

  it('refuses a server that compresses, where writing frames around ws would corrupt the stream', () => {
    assert.throws(() => RawSocketAccess.assertUsableBy(server({ perMessageDeflate: true })), RawSocketUnavailableError);
  });

  it('has no socket for a WebSocket that was never upgraded, so the caller falls back to ws.send', () => {
    const notUpgraded = new WebSocket(null as unknown as string, undefined, {});
    assert.equal(RawSocketAccess.of(notUpgraded), undefined);
  });

  it('package.json pins ws exactly to the installed version, the one this check was made against', () => {
    const require = createRequire(import.meta.url);
    const pinned = require('../../../../../package.json').dependencies.ws;
    const installed = require('ws/package.json').version;
    assert.match(pinned, /^\d+\.\d+\.\d+$/, 'an exact version, no range');
    assert.equal(installed, pinned);
  });
});
