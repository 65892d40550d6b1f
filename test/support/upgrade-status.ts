import { WebSocket } from 'ws';

/** The HTTP status of a refused upgrade, or 101 when the socket opened (it is closed again at once). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', (err) => (err.message.includes('Unexpected server response') ? undefined : reject(err)));
  });
}
