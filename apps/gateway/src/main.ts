import cluster from 'node:cluster';
import { gatewayConfig } from '#app/config';
import { createLogger, exitOnStartFailure, runApp } from '#app/runtime';

// The primary of GATEWAY_WORKERS loads neither Nest nor the gateway: it only forks, counts and drains.
let workers = 1;
try {
  workers = gatewayConfig().workers;
} catch (err) {
  exitOnStartFailure('gateway', err);
}
if (cluster.isPrimary && workers > 1) {
  const { GatewayPrimary } = await import('./cluster/gateway-primary.js');
  new GatewayPrimary(workers, createLogger('gateway')).start();
} else {
  const { startGateway } = await import('./gateway-app.js');
  await runApp('gateway', startGateway);
}
