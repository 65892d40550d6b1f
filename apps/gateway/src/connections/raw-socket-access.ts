import { Socket } from 'node:net';
import { WebSocket, type WebSocketServer } from 'ws';
import { RawSocketUnavailableError } from './raw-socket-unavailable.error.js';

/** The parts of a server-side `ws` WebSocket we rely on that its public API does not have. */
interface WsPrivate {
  _socket?: Socket | null;
  setSocket?(socket: Socket, head: Buffer, options: { maxPayload?: number }): void;
}

/**
 * The one place that reaches into `ws`'s private state: the net.Socket a server-side WebSocket keeps in
 * `_socket`. ClientSession writes each update frame there, built once for every subscriber, because
 * `ws.send` would frame it again per client (see ClientSession.write). `ws` has no public accessor, so
 * this was written against the exact `ws` version package.json pins, and `assertUsableBy` runs when the
 * gateway starts: a `ws` that moved the field stops the start instead of silently slowing every client.
 */
export class RawSocketAccess {
  /** The TCP socket under the WebSocket, or undefined (then the caller sends through `ws.send`). */
  static of(ws: WebSocket): Socket | undefined {
    return (ws as unknown as WsPrivate)._socket ?? undefined;
  }

  /**
   * Throws RawSocketUnavailableError unless raw writes are correct for this server's sockets. They are only
   * without permessage-deflate: a compressing `ws` queues frames behind the deflater and would interleave
   * them with ours. And the server's WebSocket class must keep the upgraded socket in `_socket`, checked
   * without a client by doing to a probe what the server does after an upgrade (construct, `setSocket`).
   */
  static assertUsableBy(server: WebSocketServer): void {
    const { options } = server;
    if (options.perMessageDeflate !== false) {
      throw new RawSocketUnavailableError('the server negotiates permessage-deflate; create it with perMessageDeflate: false');
    }
    const WebSocketClass = options.WebSocket ?? WebSocket;
    const probe = new (WebSocketClass as new (...args: unknown[]) => WsPrivate)(null, undefined, options);
    if (typeof probe.setSocket !== 'function') {
      throw new RawSocketUnavailableError('WebSocket.prototype.setSocket is gone');
    }
    const socket = new Socket();
    try {
      probe.setSocket(socket, Buffer.alloc(0), { maxPayload: options.maxPayload });
      if (RawSocketAccess.of(probe as unknown as WebSocket) !== socket) {
        throw new RawSocketUnavailableError('an upgraded WebSocket no longer keeps its net.Socket in `_socket`');
      }
    } finally {
      socket.destroy();
    }
  }
}
