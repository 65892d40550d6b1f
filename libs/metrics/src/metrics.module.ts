import { type DynamicModule, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { MetricsController } from './metrics.controller.js';
import { METRICS_REGISTRY } from './metrics.constants.js';

/**
 * A registry per app with Node's default metrics (CPU, memory, GC, event-loop lag) labelled
 * `app=<name>`; apps register their own counters and gauges on it.
 */
@Module({})
export class MetricsModule {
  static forApp(app: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
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
