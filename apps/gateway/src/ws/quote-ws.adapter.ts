import type { IncomingMessage } from 'node:http';
import { Logger, type INestApplication } from '@nestjs/common';
import type { GatewayConfig } from '#app/config';
import { OriginPolicy } from '../auth/origin-policy.js';
import { UpgradeAuthenticator } from '../auth/upgrade-authenticator.js';
import { ClientSocketErrors } from '../connections/client-socket-errors.js';
import { GatewayStats } from '../connections/gateway-stats.js';
import { RawSocketAccess } from '../connections/raw-socket-access.js';
import { SessionRegistry } from '../connections/session-registry.js';
import { TrustedProxies } from '../connections/trusted-proxies.js';
import { parseClientFrame } from './client-frame.parser.js';
import { LeanWsAdapter } from './lean-ws.adapter.js';

type Verify = (result: boolean, code?: number, message?: string) => void;

/**
 * Nest's `ws` adapter (a plain listener per socket, see LeanWsAdapter) with our frame format
 * (`{action, payload}` instead of `{event, data}`, bad frames turned into `invalid` events rather than
 * dropped), the frame-size limit (`ws` closes with 1009), and the door: every upgrade is checked before
 * a socket opens, cheapest first. A foreign Origin gets 403, a full gateway 503, an address at its
 * connection cap 429, a missing or bad credential 401.
 * No compression: update frames are written to the raw socket, which is only correct uncompressed, and
 * the server refuses to start if its `ws` cannot hand that socket over (RawSocketAccess).
 */
export class QuoteWsAdapter extends LeanWsAdapter {
  private readonly door = new Logger(QuoteWsAdapter.name);
  private readonly origins: OriginPolicy;
  private readonly proxies: TrustedProxies;
  private readonly authenticator: UpgradeAuthenticator;
  private readonly registry: SessionRegistry;
  private readonly stats: GatewayStats;

  constructor(
    app: INestApplication,
    private readonly limits: GatewayConfig,
  ) {
    super(app, { messageParser: (data) => parseClientFrame(data, limits.maxSymbolsPerConnection) });
    this.origins = app.get(OriginPolicy);
    this.proxies = app.get(TrustedProxies);
    this.authenticator = app.get(UpgradeAuthenticator);
    this.registry = app.get(SessionRegistry);
    this.stats = app.get(GatewayStats);
    // A stranger can cause socket errors at will: counted for /metrics, summed up in the log.
    this.onSocketError = app.get(ClientSocketErrors).record;
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    const server = super.create(port, {
      ...options,
      perMessageDeflate: false,
      maxPayload: this.limits.maxFrameBytes,
      verifyClient: (info: { req: IncomingMessage }, done: Verify) => {
        this.verify(info.req, done).catch((err: Error) => {
          this.door.error(`upgrade check failed: ${err.stack ?? err}`);
          this.refuse(done, 500, 'Internal Server Error', 'unknown', 'check failed');
        });
      },
    });
    RawSocketAccess.assertUsableBy(server);
    return server;
  }

  /**
   * Room is checked before the credential (a full gateway need not verify tokens) and again after it:
   * other upgrades may have taken the last places meanwhile. From that second check to `done(true)`,
   * `ws` writes the 101 and opens the session synchronously, so no other upgrade can slip in between.
   * With GATEWAY_WORKERS > 1 the address's place over every worker is claimed from the primary before
   * that, and room checked once more after the answer; a place not used is given back.
   */
  private async verify(request: IncomingMessage, done: Verify): Promise<void> {
    const address = this.proxies.clientAddress(request);
    if (!this.origins.allows(request)) return this.refuse(done, 403, 'Forbidden: origin not allowed', address, `origin ${request.headers.origin?.slice(0, 100)}`);
    const full = this.registry.refusalFor(address);
    if (full) return this.refuse(done, full.status, full.message, address, full.message);
    const verdict = await this.authenticator.authenticate(request);
    if (!verdict.allowed) return this.refuse(done, 401, `Unauthorized: ${verdict.reason}`, address, verdict.reason);
    const fullNow = this.registry.refusalFor(address);
    if (fullNow) return this.refuse(done, fullNow.status, fullNow.message, address, fullNow.message);
    const claim = this.registry.claimAcrossWorkers(address);
    if (claim) {
      if (!(await claim)) return this.refuse(done, 429, 'Too many connections from this address', address, 'at its cap over all workers');
      const fullAfter = this.registry.refusalFor(address);
      const gone = request.socket.destroyed || !request.socket.writable;
      if (fullAfter || gone) {
        this.registry.releaseAcrossWorkers(address);
        if (fullAfter) return this.refuse(done, fullAfter.status, fullAfter.message, address, fullAfter.message);
        return done(false, 400, 'Bad Request');
      }
    }
    this.registry.admit(request, { address, expiresAt: verdict.expiresAt });
    done(true);
  }

  private refuse(done: Verify, status: number, message: string, address: string, why: string) {
    this.stats.upgradesRefused++;
    // Debug: a refused upgrade is what an attacker can repeat at will, so it must not flood the log at the default level.
    this.door.debug(`refused ${address} with ${status}: ${why}`);
    done(false, status, message);
  }
}
