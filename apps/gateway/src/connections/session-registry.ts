import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { WsCloseCode, WsErrorCode } from '#app/contracts';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import { PrimaryLink } from '../cluster/primary-link.js';
import { addressKey } from '../rate-limit/address-key.js';
import { ClientSession, type SessionLimits } from './client-session.js';
import { OPEN_FILES_LIMIT } from './connections.constants.js';
import { GatewayStats } from './gateway-stats.js';
import { connectionsWithin, RESERVED_FILES, softOpenFilesLimit } from './open-files-limit.js';
import { TrustedProxies } from './trusted-proxies.js';

/** Requests a client may have waiting behind the one running; a client within its rate limit never gets near it. */
export const MAX_QUEUED_REQUESTS = 32;

/** What the upgrade checks found out about a request, for the session it opens. */
export interface Admission {
  /** The client's address (X-Forwarded-For from a trusted proxy, else the peer). */
  address: string;
  /** Epoch ms when the credential expires and the socket is closed with 4001, or null. */
  expiresAt: number | null;
}

export interface Refusal {
  status: 429 | 503;
  message: string;
}

/** setTimeout's longest delay (about 24.8 days); a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2_147_483_647;

type RegistryConfig = Pick<GatewayConfig, 'maxConnections' | 'maxConnectionsPerIp' | 'slowClientBufferBytes' | 'maxClientBufferBytes'>;

/** Every open session, by socket; how many each client address holds; and when each socket's credential expires. */
@Injectable()
export class SessionRegistry {
  private readonly logger = new Logger(SessionRegistry.name);
  private readonly bySocket = new Map<WebSocket, ClientSession>();
  private readonly perAddress = new Map<string, number>();
  private readonly admissions = new WeakMap<IncomingMessage, Admission>();
  private readonly expiries = new Map<WebSocket, NodeJS.Timeout>();
  private readonly limits: SessionLimits;
  /** One for every session: a closure per session would be kept by each idle connection. */
  private readonly onTaskError = (session: ClientSession, err: unknown) => this.taskFailed(session, err);
  /** Connections the open-files limit leaves room for, when that is below WS_MAX_CONNECTIONS; else null. */
  private readonly fileCap: number | null;
  /** The cap that applies: WS_MAX_CONNECTIONS, or fewer when the open-files limit allows fewer. */
  private readonly maxConnections: number;
  private fileCapReached = false;
  /** The primary that counts each address over every worker (GATEWAY_WORKERS > 1); null when this gateway runs alone. */
  private readonly primary = PrimaryLink.current();

  constructor(
    @Inject(gatewayConfig.KEY) private readonly config: RegistryConfig,
    private readonly stats: GatewayStats,
    private readonly proxies: TrustedProxies,
    @Optional() @Inject(OPEN_FILES_LIMIT) openFilesLimit: number | null = softOpenFilesLimit(),
  ) {
    const withinFiles = connectionsWithin(openFilesLimit);
    this.fileCap = withinFiles !== null && withinFiles < config.maxConnections ? withinFiles : null;
    this.maxConnections = this.fileCap ?? config.maxConnections;
    if (this.fileCap !== null) {
      this.logger.log(`at most ${this.fileCap} connections: the open-files limit (${openFilesLimit}, less ${RESERVED_FILES} kept for Redis, health and metrics) is below WS_MAX_CONNECTIONS=${config.maxConnections}`);
    }
    this.limits = {
      slowBytes: config.slowClientBufferBytes,
      maxBytes: config.maxClientBufferBytes,
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

  /** Why one more connection from `address` (an IPv6 one counted with its /64) must be refused, or null when there is room for it. */
  refusalFor(address: string): Refusal | null {
    if (this.bySocket.size >= this.maxConnections) return this.full();
    if ((this.perAddress.get(addressKey(address)) ?? 0) >= this.config.maxConnectionsPerIp) return { status: 429, message: 'Too many connections from this address' };
    return null;
  }

  private full(): Refusal {
    if (this.fileCap !== null && !this.fileCapReached) {
      this.fileCapReached = true;
      this.logger.warn(
        `refusing upgrades with 503 at ${this.fileCap} connections, under WS_MAX_CONNECTIONS=${this.config.maxConnections}: ` +
          `the process may open ${this.fileCap + RESERVED_FILES} files (ulimit -n) and keeps ${RESERVED_FILES} for Redis, health and metrics; raise the open-files limit to serve more`,
      );
    }
    return { status: 503, message: 'Gateway at its connection limit, try another or later' };
  }

  /**
   * With GATEWAY_WORKERS > 1, takes a place for `address` under WS_MAX_CONNECTIONS_PER_IP counted over
   * every worker (true when it got one; the session's close gives it back); null when running alone,
   * where `refusalFor` counted every connection already.
   */
  claimAcrossWorkers(address: string): Promise<boolean> | null {
    return this.primary?.claim(addressKey(address), this.config.maxConnectionsPerIp) ?? null;
  }

  /** Gives back a place taken by `claimAcrossWorkers` for an upgrade that did not open a session after all. */
  releaseAcrossWorkers(address: string): void {
    this.primary?.release(addressKey(address));
  }

  /** Remembers what the upgrade checks found, for `open`, which `ws` calls right after the 101 for this request. */
  admit(request: IncomingMessage, admission: Admission): void {
    this.admissions.set(request, admission);
  }

  open(socket: WebSocket, request: IncomingMessage): ClientSession {
    const { address, expiresAt } = this.admissions.get(request) ?? { address: this.proxies.clientAddress(request), expiresAt: null };
    const session = new ClientSession(socket, address, this.limits, this.stats, this.onTaskError);
    this.bySocket.set(socket, session);
    const key = addressKey(address);
    this.perAddress.set(key, (this.perAddress.get(key) ?? 0) + 1);
    if (expiresAt !== null) this.closeAtExpiry(session, expiresAt);
    return session;
  }

  /** Closes the socket's session, once; later calls return undefined. */
  close(socket: WebSocket): ClientSession | undefined {
    const session = this.bySocket.get(socket);
    if (!session) return undefined;
    session.close();
    this.bySocket.delete(socket);
    clearTimeout(this.expiries.get(socket));
    this.expiries.delete(socket);
    const key = addressKey(session.ip);
    const left = (this.perAddress.get(key) ?? 1) - 1;
    if (left > 0) this.perAddress.set(key, left);
    else this.perAddress.delete(key);
    this.primary?.release(key);
    return session;
  }

  /** A request that threw: the client hears INTERNAL_ERROR, the log gets the stack, the session goes on. */
  private taskFailed(session: ClientSession, err: unknown): void {
    this.logger.error(`session ${session.id}: request failed: ${(err as Error)?.stack ?? err}`);
    session.send({ type: 'error', payload: { code: WsErrorCode.INTERNAL_ERROR, message: 'The request failed on the server; later requests are unaffected' } });
  }

  /** A socket must not outlive its token: whoever holds it could otherwise keep a revoked identity forever. */
  private closeAtExpiry(session: ClientSession, expiresAt: number): void {
    const { socket } = session;
    const timer = setTimeout(() => {
      if (!this.bySocket.has(socket)) return;
      if (Date.now() < expiresAt) return this.closeAtExpiry(session, expiresAt);
      this.expiries.delete(socket);
      this.logger.log(`session ${session.id} (${session.ip}) closed: its token expired`);
      session.closeWith(WsCloseCode.TOKEN_EXPIRED, 'token expired');
    }, Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS));
    timer.unref();
    this.expiries.set(socket, timer);
  }
}
