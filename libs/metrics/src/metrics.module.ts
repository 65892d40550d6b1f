import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { metricsConfig } from '#app/config';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY } from './metrics.constants.js';
import { MetricsServer } from './metrics-server.js';

/**
 * A registry per app with Node's default metrics (CPU, memory, GC, event-loop lag) labelled
 * `app=<name>`; apps register their own counters and gauges on it. Served at /metrics on the app's
 * port, or on METRICS_PORT when that is set.
 */
@Module({})
export class MetricsModule {
  static forApp(app: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [ConfigModule.forFeature(metricsConfig)],
      controllers: [MetricsController],
      providers: [
        MetricsServer,
        {
          provide: METRICS_REGISTRY,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ app });
            collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
            return registry;
          },
        },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
