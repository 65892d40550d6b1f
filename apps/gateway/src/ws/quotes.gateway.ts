import type { IncomingMessage } from 'node:http';
import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { WsCloseCode, WsErrorCode, type WsErrorCode as ErrorCode } from '#app/contracts';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import type { ClientSession } from '../connections/client-session.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { MAX_QUEUED_REQUESTS, SessionRegistry } from '../connections/session-registry.js';
import type { RateLimitRefusal } from '../rate-limit/connection-budget.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { SubscriptionService } from '../subscriptions/subscription.service.js';
import { parseClientFrame, type BarsData, type SubscribeData } from './client-frame.parser.js';

const CLOSE_GRACE_MS = 2000;

/** The socket boundary: a session per connection, rate limiting, and each action handed to the service. */
@WebSocketGateway({ path: '/ws' })
export class QuotesGateway implements OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  private readonly logger = new Logger(QuotesGateway.name);
  /** One pong listener for every socket (`this` is the socket that answered), not a closure per connection. */
  private readonly onPong: (this: WebSocket) => void;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly subscriptions: SubscriptionService,
    private readonly rateLimiter: RateLimiter,
    private readonly stats: GatewayStats,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfig,
  ) {
    const sessions = registry;
    this.onPong = function (this: WebSocket) {
      const session = sessions.get(this);
      if (session) session.alive = true;
    };
  }

  handleConnection(socket: WebSocket, request: IncomingMessage) {
    this.registry.open(socket, request);
    socket.on('pong', this.onPong);
    this.subscribeAtConnect(socket, request);
  }

  handleDisconnect(socket: WebSocket) {
    const session = this.registry.close(socket);
    if (session) this.subscriptions.disconnect(session);
  }

  @SubscribeMessage('subscribe')
  onSubscribe(@ConnectedSocket() socket: WebSocket, @MessageBody() data: SubscribeData) {
    this.run(socket, (session) => this.subscriptions.subscribe(session, data));
  }

  @SubscribeMessage('unsubscribe')
  onUnsubscribe(@ConnectedSocket() socket: WebSocket, @MessageBody() data: { symbols: string[] }) {
    this.run(socket, async (session) => this.subscriptions.unsubscribe(session, data.symbols));
  }

  @SubscribeMessage('subscribeBars')
  onSubscribeBars(@ConnectedSocket() socket: WebSocket, @MessageBody() data: BarsData) {
    this.run(socket, (session) => this.subscriptions.subscribeBars(session, data));
  }

  @SubscribeMessage('unsubscribeBars')
  onUnsubscribeBars(@ConnectedSocket() socket: WebSocket, @MessageBody() data: BarsData) {
    this.run(socket, async (session) => this.subscriptions.unsubscribeBars(session, data));
  }

  @SubscribeMessage('ping')
  onPing(@ConnectedSocket() socket: WebSocket) {
    this.run(socket, async (session) => session.send({ type: 'pong' }));
  }

  @SubscribeMessage('invalid')
  onInvalid(@ConnectedSocket() socket: WebSocket, @MessageBody() error: { code: ErrorCode; message: string }) {
    this.run(socket, async (session) => session.send({ type: 'error', payload: error }));
  }

  /**
   * `/ws?symbols=AAPL,GOOG` subscribes as the connection opens, so the first frames are `subscribed` and the
   * snapshot, with no round trip; the symbols are checked and answered exactly as a subscribe message's.
   */
  private subscribeAtConnect(socket: WebSocket, request: IncomingMessage) {
    const query = request.url?.includes('?') ? new URL(request.url, 'http://gateway').searchParams : null;
    const listed = query?.get('symbols');
    if (!listed) return;
    const symbols = listed.split(',');
    const parsed = parseClientFrame(JSON.stringify({ action: 'subscribe', payload: { symbols } }), this.config.maxSymbolsPerConnection);
    if (parsed.event === 'subscribe') this.onSubscribe(socket, parsed.data);
    else if (parsed.event === 'invalid') this.onInvalid(socket, parsed.data);
  }

  /** Closes every socket with 1001 and gives clients a moment to answer the close before the server goes. */
  async beforeApplicationShutdown() {
    const closed = [...this.registry.sessions()].map(
      (session) =>
        new Promise<void>((resolve) => {
          const { socket } = session;
          socket.once('close', () => resolve());
          session.closeWith(WsCloseCode.GOING_AWAY, 'server shutting down');
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, CLOSE_GRACE_MS).unref();
        }),
    );
    await Promise.all(closed);
    if (closed.length > 0) this.logger.log(`closed ${closed.length} client sockets`);
  }

  /**
   * The connection's budget first, in memory: a refused message queues nothing and costs no Redis call.
   * In the session's queue, the address's budget (Redis), then the action. A full queue is a refusal too.
   */
  private run(socket: WebSocket, action: (session: ClientSession) => Promise<void>) {
    const session = this.registry.get(socket);
    if (!session) return;
    const verdict = this.rateLimiter.admit(session);
    if (verdict === 'dropped') return;
    if (verdict !== 'admitted') return this.refuse(session, verdict);
    const queued = session.enqueue(async () => {
      const byAddress = await this.rateLimiter.admitAddress(session);
      if (!session.isActive) return;
      if (byAddress === 'admitted') return action(session);
      this.refuse(session, byAddress);
    });
    if (!queued && session.isActive) this.refuse(session, this.rateLimiter.strike(session, `More than ${MAX_QUEUED_REQUESTS} requests waiting`));
  }

  /** RATE_LIMITED; the strike that expels closes with 1008 once the requests queued before it are answered. */
  private refuse(session: ClientSession, refusal: RateLimitRefusal) {
    this.stats.rateLimited++;
    session.send({ type: 'error', payload: { code: WsErrorCode.RATE_LIMITED, message: refusal.message, retryAfterMs: this.rateLimiter.retryAfterMs } });
    if (!refusal.expel) return;
    this.logger.log(`session ${session.id} (${session.ip}) closed for repeated rate limiting`);
    const close = () => session.closeWith(WsCloseCode.POLICY_VIOLATION, 'rate limit exceeded repeatedly');
    if (!session.enqueue(async () => close())) close();
  }
}
