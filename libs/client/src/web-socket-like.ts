/**
 * The part of the WebSocket API the client uses, met by the browser's WebSocket, Node 22's global one,
 * the `ws` package's and a spec's fake. Handler parameters are `never` so that each implementation's
 * own event classes fit; the client declares the little it reads from them.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** readyState of an open socket, the same in every implementation. */
export const OPEN = 1;
