import { WebSocket } from 'ws';

/** A stand-in socket for unit specs that records what it was sent; real sockets are covered end to end. */
export function fakeSocket(bufferedAmount = 0) {
  const sent: string[] = [];
  const closes: number[] = [];
  const pings: Buffer[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount,
    send: (data: Buffer | string) => sent.push(data.toString()),
    ping: (data: Buffer) => pings.push(data),
    close: (code: number) => closes.push(code),
    terminate: () => undefined,
  };
  return { socket, ws: socket as unknown as WebSocket, sent, closes, pings };
}
