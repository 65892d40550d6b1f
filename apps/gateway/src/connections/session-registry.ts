import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { WsErrorCode } from '#app/contracts';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import { ClientSession, type SessionLimits } from './client-session.js';
import { GatewayStats } from './gateway-stats.js';

/** Requests a client may have waiting behind the one running; a client within its rate limit never gets near it. */
export const MAX_QUEUED_REQUESTS = 32;

/** Every open session, by socket, and how many each client IP holds. */
@Injectable()
export class SessionRegistry {
  private readonly logger = new Logger(SessionRegistry.name);
  private readonly bySocket = new Map<WebSocket, ClientSession>();
  private readonly perIp = new Map<string, number>();
  private readonly limits: SessionLimits;

  constructor(
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfig,
    private readonly stats: GatewayStats,
  ) {
    this.limits = {
      slowBufferBytes: config.slowClientBufferBytes,
      maxBufferBytes: config.maxClientBufferBytes,
      maxLagMs: config.slowClientMaxLagMs,
      maxQueuedRequests: MAX_QUEUED_REQUESTS,
    };
  }

  get size(): number {
    return this.bySocket.size;
  }

  sessions(): IterableIterator<ClientSession> {
    return this.bySocket.values();
  }

  get(socket: WebSocket): ClientSession | undefined {
    return this.bySocket.get(socket);
  }

  /** False when the request's IP already holds the most connections it may. */
  hasRoomFor(request: IncomingMessage): boolean {
    return (this.perIp.get(clientIp(request)) ?? 0) < this.config.maxConnectionsPerIp;
  }

  open(socket: WebSocket, request: IncomingMessage): ClientSession {
    const ip = clientIp(request);
    const session = new ClientSession(socket, ip, this.limits, this.stats, (failed, err) => this.taskFailed(failed, err));
    this.bySocket.set(socket, session);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    return session;
  }

  /** Closes the socket's session, once; later calls return undefined. */
  close(socket: WebSocket): ClientSession | undefined {
    const session = this.bySocket.get(socket);
    if (!session) return undefined;
    session.close();
    this.bySocket.delete(socket);
    const left = (this.perIp.get(session.ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(session.ip, left);
    else this.perIp.delete(session.ip);
    return session;
  }

  /** A request that threw: the client hears INTERNAL_ERROR, the log gets the stack, the session goes on. */
  private taskFailed(session: ClientSession, err: unknown): void {
    this.logger.error(`session ${session.id}: request failed: ${(err as Error)?.stack ?? err}`);
    session.send({ type: 'error', payload: { code: WsErrorCode.INTERNAL_ERROR, message: 'The request failed on the server; later requests are unaffected' } });
  }
}

/** The peer address. Behind a proxy this is the proxy's: see the README on scaling. */
function clientIp(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}
