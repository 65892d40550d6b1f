import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { gatewayConfig, type GatewayConfig } from '#app/config';
import { GatewayStats } from './gateway-stats.js';
import { SessionRegistry } from './session-registry.js';

/**
 * Connection housekeeping the `ws` adapter does not do: ping every client each interval and drop one
 * that did not answer the last ping (half-open TCP connections otherwise live forever, and a client
 * that stopped reading would keep its socket's buffers full).
 */
@Injectable()
export class Heartbeat implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Heartbeat.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly stats: GatewayStats,
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => this.ping(), this.config.heartbeatIntervalMs);
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  /**
   * Drops the sessions that missed the last ping, pings the others. One that missed it while its socket
   * was still full (see ClientOutbox) is a client that stopped reading: it is told so (1013) before it is
   * cut off, and may reconnect and recover what it missed with `since`.
   */
  ping() {
    for (const session of this.registry.sessions()) {
      if (!session.alive) {
        this.stats.heartbeatTimeouts++;
        this.logger.log(`session ${session.id} (${session.ip}) missed a heartbeat${session.isBehind ? ' with its socket full' : ''}, dropping it`);
        if (session.isBehind) session.closeAsTooSlow();
        else session.socket.terminate();
        continue;
      }
      session.alive = false;
      session.socket.ping();
    }
  }

}
