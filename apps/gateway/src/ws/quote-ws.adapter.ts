import type { IncomingMessage } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { GatewayConfig } from '#app/config';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { RawSocketAccess } from '../connections/raw-socket-access.js';
import { SessionRegistry } from '../connections/session-registry.js';
import { parseClientFrame } from './client-frame.parser.js';

type Verify = (result: boolean, code?: number, message?: string) => void;

/**
 * Nest's `ws` adapter with our frame format (`{action, payload}` instead of `{event, data}`, bad frames
 * turned into `invalid` events rather than dropped), the frame-size limit (`ws` closes with 1009),
 * and the upgrade checks: authentication (401) and connections per IP (429), before any socket opens.
 * No compression: update frames are written to the raw socket, which is only correct uncompressed, and
 * the server refuses to start if its `ws` cannot hand that socket over (RawSocketAccess).
 */
export class QuoteWsAdapter extends WsAdapter {
  private readonly authenticator: UpgradeAuthenticator;
  private readonly registry: SessionRegistry;
  private readonly stats: GatewayStats;

  constructor(
    app: INestApplication,
    private readonly limits: GatewayConfig,
  ) {
    super(app, { messageParser: (data) => parseClientFrame(data, limits.maxSymbolsPerConnection) });
    this.authenticator = app.get(UpgradeAuthenticator);
    this.registry = app.get(SessionRegistry);
    this.stats = app.get(GatewayStats);
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    const server = super.create(port, {
      ...options,
      perMessageDeflate: false,
      maxPayload: this.limits.maxFrameBytes,
      verifyClient: (info: { req: IncomingMessage }, done: Verify) => this.verify(info.req, done),
    });
    RawSocketAccess.assertUsableBy(server);
    return server;
  }

  private verify(request: IncomingMessage, done: Verify) {
    this.authenticator.isAllowed(request).then(
      (allowed) => {
        if (!allowed) return this.refuse(done, 401, 'Unauthorized');
        if (!this.registry.hasRoomFor(request)) return this.refuse(done, 429, 'Too many connections from this address');
        done(true);
      },
      () => this.refuse(done, 500, 'Internal Server Error'),
    );
  }

  private refuse(done: Verify, code: number, message: string) {
    this.stats.upgradesRefused++;
    done(false, code, message);
  }
}
