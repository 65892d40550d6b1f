import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { gatewayConfig } from '#app/config';
import { DoorModule } from '../door/door.module.js';
import { ClientSocketErrors } from './client-socket-errors.js';
import { GatewayStats } from './gateway-stats.js';
import { Heartbeat } from './heartbeat.js';
import { SessionRegistry } from './session-registry.js';

/** The open client sessions: their registry and caps, the heartbeat, and the counters of what they did. */
@Module({
  imports: [ConfigModule.forFeature(gatewayConfig), DoorModule],
  providers: [GatewayStats, ClientSocketErrors, SessionRegistry, Heartbeat],
  exports: [GatewayStats, ClientSocketErrors, SessionRegistry],
})
export class ConnectionsModule {}
