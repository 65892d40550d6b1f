import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import { ClientSession, type SessionLimits } from './client-session.js';
import { GatewayStats } from './gateway-stats.js';

/** Every open session, by socket, and how many each client IP holds. */
@Injectable()
export class SessionRegistry {
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
    const session = new ClientSession(socket, ip, this.limits, this.stats);
    this.bySocket.set(socket, session);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    return session;
  }

  close(socket: WebSocket): ClientSession | undefined {
    const session = this.bySocket.get(socket);
    if (!session) return undefined;
    this.bySocket.delete(socket);
    const left = (this.perIp.get(session.ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(session.ip, left);
    else this.perIp.delete(session.ip);
    return session;
  }
}

/** The peer address. Behind a proxy this is the proxy's: see the README on scaling. */
function clientIp(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}
