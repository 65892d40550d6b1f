import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { metricsConfig } from '#app/config';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY, METRICS_TEXT, type MetricsAggregation } from './metrics.constants.js';
import { MetricsServer } from './metrics-server.js';

/**
 * A registry per app with Node's default metrics (CPU, memory, GC, event-loop lag) labelled
 * `app=<name>`; apps register their own counters and gauges on it. Served at /metrics on the app's
 * port, or on METRICS_PORT when that is set; with an aggregation, /metrics answers for all its processes.
 */
@Module({})
export class MetricsModule {
  static forApp(app: string, aggregation?: MetricsAggregation): DynamicModule {
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
            aggregation?.attach(registry);
            return registry;
          },
        },
        {
          provide: METRICS_TEXT,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => (aggregation ? () => aggregation.text(registry) : () => registry.metrics()),
        },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
