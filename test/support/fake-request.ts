import type { IncomingMessage } from 'node:http';

/** A stand-in upgrade request for unit specs: the peer address, headers and URL the door looks at. */
export function fakeRequest(remoteAddress: string, headers: Record<string, string | string[]> = {}, url = '/ws'): IncomingMessage {
  return { socket: { remoteAddress }, headers, url } as unknown as IncomingMessage;
}
