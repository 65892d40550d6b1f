import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY, observedCounter, observedGauge } from '#app/metrics';
import { QuoteFeed } from './feed/quote-feed.js';
import { ClientSocketErrors } from './connections/client-socket-errors.js';
import { GatewayStats } from './connections/gateway-stats.js';
import { SessionRegistry } from './connections/session-registry.js';

@Injectable()
export class GatewayMetrics {
  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    stats: GatewayStats,
    sessions: SessionRegistry,
    feed: QuoteFeed,
    socketErrors: ClientSocketErrors,
  ) {
    observedGauge(registry, 'gateway_connections', 'Open WebSocket connections', () => sessions.size);
    observedGauge(registry, 'gateway_subscriptions', 'Symbol subscriptions over all connections', () => {
      let total = 0;
      for (const session of sessions.sessions()) total += session.symbols.size;
      return total;
    });
    observedGauge(registry, 'gateway_channels', 'Redis channels kept for subscribed symbols, in any state', () => feed.channelCount);
    observedGauge(registry, 'gateway_channels_pending', 'Channels wanted but not live yet (SUBSCRIBE in flight or Redis away)', () => feed.pendingCount);
    observedCounter(registry, 'gateway_subscribe_retries_total', 'Failed Redis SUBSCRIBEs retried with back-off', () => feed.subscribeRetries);
    observedCounter(registry, 'gateway_quotes_received_total', 'Quotes and bars received from Redis pub/sub', () => feed.received);
    observedGauge(registry, 'gateway_feed_backlog', 'Messages waiting for fan-out while the gateway itself is behind', () => feed.backlog.size);
    observedCounter(registry, 'gateway_feed_conflated_total', 'Messages replaced by a newer one of the same stream while fan-out was behind', () => feed.backlog.conflated);
    observedCounter(registry, 'gateway_feed_stale_dropped_total', 'Messages dropped for a seq older than one already sent on their stream (writes replayed after a Redis failover)', () => feed.staleDropped);
    observedGauge(registry, 'gateway_clients_behind', 'Clients whose updates are conflated for not reading fast enough', () => {
      let behind = 0;
      for (const session of sessions.sessions()) if (session.isBehind) behind++;
      return behind;
    });
    observedCounter(registry, 'gateway_messages_sent_total', 'Frames sent to clients', () => stats.messagesSent);
    observedCounter(registry, 'gateway_updates_conflated_total', 'Updates replaced by a newer one of their stream for a client that does not read fast enough (or throttled)', () => stats.updatesConflated);
    observedCounter(registry, 'gateway_slow_clients_closed_total', 'Clients closed with 1013: Node held more than WS_MAX_CLIENT_BUFFER_BYTES for them', () => stats.slowClientsClosed);
    observedCounter(registry, 'gateway_rate_limited_total', 'Client messages refused with RATE_LIMITED', () => stats.rateLimited);
    observedCounter(registry, 'gateway_heartbeat_timeouts_total', 'Clients dropped for a missed heartbeat', () => stats.heartbeatTimeouts);
    observedCounter(registry, 'gateway_upgrades_refused_total', 'Upgrades refused (403, 401, 429, 503)', () => stats.upgradesRefused);
    observedCounter(registry, 'gateway_client_socket_errors_total', 'Errors clients caused on their sockets (oversized or malformed frames, resets); the log sums them up', () => socketErrors.total);
  }
}
