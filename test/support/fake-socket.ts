import { WebSocket } from 'ws';

/** The payload of a server-to-client text frame (unmasked, as the gateway writes them). */
export function framePayload(frame: Buffer): string {
  const length = frame[1] & 0x7f;
  const head = length < 126 ? 2 : length === 126 ? 4 : 10;
  return frame.subarray(head).toString();
}

/**
 * A stand-in socket for unit specs that records what it was sent, through `ws.send` or through the raw
 * TCP socket the gateway writes frames to (decoded); real sockets are covered end to end.
 */
export function fakeSocket(bufferedAmount = 0) {
  const sent: string[] = [];
  const closes: number[] = [];
  const pings: Buffer[] = [];
  const drains: Array<() => void> = [];
  const raw = {
    writes: 0,
    corked: 0,
    /** Corked writes ended: one per flush of the client's outbox. */
    uncorks: 0,
    cork: () => raw.corked++,
    uncork: () => {
      raw.corked--;
      raw.uncorks++;
    },
    write: (frame: Buffer) => {
      raw.writes++;
      sent.push(framePayload(frame));
      return true;
    },
    get writableNeedDrain() {
      return socket.bufferedAmount > 0;
    },
    once: (event: string, listener: () => void) => {
      if (event === 'drain') drains.push(listener);
    },
  };
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount,
    _socket: raw,
    send: (data: Buffer | string) => sent.push(data.toString()),
    ping: (data: Buffer) => pings.push(data),
    close: (code: number) => {
      closes.push(code);
      socket.readyState = WebSocket.CLOSING;
    },
    terminate: () => undefined,
  };
  /** The socket drained: whoever waits for it is told. */
  const drain = () => drains.splice(0).forEach((listener) => listener());
  return { socket, ws: socket as unknown as WebSocket, sent, closes, pings, raw, drain };
}
