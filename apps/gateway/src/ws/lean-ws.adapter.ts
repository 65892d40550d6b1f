import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { WebSocket, type WebSocketServer } from 'ws';

type Handler = MessageMappingProperties['callback'];
type Transform = (data: unknown) => Observable<unknown>;

/**
 * Nest's `ws` adapter with the same routing (`@SubscribeMessage` handlers by event name, a handler's
 * non-empty result sent back as JSON) but a plain listener per socket. The stock adapter builds an RxJS
 * pipeline per client (fromEvent + mergeMap + takeUntil over a shared close$, about 40 closures and
 * subscribers, ~6 KiB of heap each in a heap snapshot of 2,000 idle clients) and wraps each listener in
 * `once` and EventTarget adapters; at thousands of idle connections that was the gateway's largest
 * per-connection cost. Here a socket keeps one closure and the array of its bound handlers.
 *
 * The message parser must not throw on client input (return an error event instead): a throw is a bug
 * and is logged. A handler that throws or rejects is logged too; the socket's next messages still run.
 */
export class LeanWsAdapter extends WsAdapter {
  /** Event name -> handler index, per list of event names: Nest hands every client the same list. */
  private readonly routeTables = new Map<string, Map<string, number>>();
  /** Nest's transform of a handler's result, a fresh but identical closure per client: the first is kept. */
  private transform: Transform | null = null;
  private readonly logError = (err: Error) => this.logger.error(err);
  /**
   * What `ws` reports on a client socket (an oversized frame, bad UTF-8, a reset): the client's doing, not
   * ours. Logged as Nest does here; QuoteWsAdapter counts them and rate-limits the log instead.
   */
  protected onSocketError: (err: Error) => void = this.logError;

  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[], transform: Transform): void {
    this.transform ??= transform;
    const routes = this.routesOf(handlers);
    const callbacks = handlers.map((handler) => handler.callback);
    client.on('message', (data: Buffer) => this.route(client, routes, callbacks, data));
  }

  /** `on`, not `once`: `ws` emits 'close' exactly once, and `once` costs a wrapper closure per socket. */
  override bindClientDisconnect(client: WebSocket, callback: (...args: unknown[]) => void): void {
    client.on('close', callback);
  }

  /** One error listener shared by every socket instead of a closure each; the server's own errors are logged. */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    const onSocketError = this.onSocketError;
    server.on('connection', (ws: WebSocket) => ws.on('error', onSocketError));
    server.on('error', this.logError);
    return server;
  }

  private route(client: WebSocket, routes: Map<string, number>, callbacks: Handler[], data: Buffer): void {
    let message: { event: string; data: unknown } | void;
    try {
      message = this.messageParser(data);
    } catch (err) {
      this.logger.error(err);
      return;
    }
    const at = message ? routes.get(message.event) : undefined;
    if (!message || at === undefined) return;
    try {
      const result = callbacks[at](message.data, message.event);
      // Nest's handlers return a promise; ours resolve to nothing (they answer through the session).
      if (result instanceof Promise) result.then((value) => this.reply(client, value), this.logError);
      else this.reply(client, result);
    } catch (err) {
      this.logger.error(err);
    }
  }

  /** A handler's result through Nest's transform (promises, observables), each non-empty value sent as JSON. */
  private reply(client: WebSocket, value: unknown): void {
    if (value === undefined || value === null) return;
    this.transform!(value).subscribe({
      next: (response) => {
        if (response !== undefined && response !== null && client.readyState === WebSocket.OPEN) client.send(JSON.stringify(response));
      },
      error: this.logError,
    });
  }

  private routesOf(handlers: MessageMappingProperties[]): Map<string, number> {
    const events = handlers.map((handler) => String(handler.message));
    const signature = events.join('\n');
    let routes = this.routeTables.get(signature);
    if (!routes) {
      routes = new Map(events.map((event, at) => [event, at]));
      this.routeTables.set(signature, routes);
    }
    return routes;
  }
}
