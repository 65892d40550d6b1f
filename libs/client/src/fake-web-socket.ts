import type { ClientMessage, ServerMessage } from '#app/contracts';
import type { WebSocketLike } from './web-socket-like.js';

type Handler = ((event: never) => void) | null;

/** A WebSocket for unit specs, driven by hand: every instance is kept, and records what it was sent. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  static get last(): FakeWebSocket {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  }

  readyState = 0;
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  readonly sent: ClientMessage[] = [];
  closedByClient = false;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }

  /** The server accepted the connection. */
  open(): void {
    this.readyState = 1;
    this.fire(this.onopen, {});
  }

  receive(message: ServerMessage): void {
    this.receiveRaw(JSON.stringify(message));
  }

  receiveRaw(data: unknown): void {
    this.fire(this.onmessage, { data });
  }

  /** The connection dropped (or never opened): error then close, as browsers report it. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.fire(this.onerror, {});
    this.fire(this.onclose, { code, reason: '' });
  }

  /** The actions sent, in order. */
  get actions(): string[] {
    return this.sent.map((m) => m.action);
  }

  private fire(handler: Handler, event: object): void {
    (handler as ((event: object) => void) | null)?.(event);
  }
}
