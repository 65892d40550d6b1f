import { WebSocket, type ClientOptions } from 'ws';
import type { ServerMessage } from '#app/contracts';

type Predicate = (m: ServerMessage) => boolean;

/** A real WebSocket client that records every frame and lets a test wait for the one it expects. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private cursor = 0;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static connect(url: string, options?: ClientOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next frame after the last one returned that matches; frames skipped over stay in `received`. */
  async next(predicate: Predicate = () => true, timeoutMs = 10_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const message = this.received[this.cursor++];
        if (predicate(message)) return message;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`no matching frame within ${timeoutMs} ms; last frames: ${JSON.stringify(this.received.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next frame, which must be of `type`. */
  async expect<T extends ServerMessage['type']>(type: T, timeoutMs = 10_000): Promise<Extract<ServerMessage, { type: T }>> {
    const message = await this.next(() => true, timeoutMs);
    if (message.type !== type) throw new Error(`expected "${type}", got ${JSON.stringify(message)}`);
    return message as Extract<ServerMessage, { type: T }>;
  }

  updates(): Extract<ServerMessage, { type: 'update' }>[] {
    return this.received.filter((m): m is Extract<ServerMessage, { type: 'update' }> => m.type === 'update');
  }

  close(): void {
    this.socket.close();
  }
}
