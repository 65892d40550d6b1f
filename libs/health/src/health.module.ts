import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule, type HealthIndicatorFunction, type HealthIndicatorResult } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { READINESS_CHECKS } from './health.constants.js';

interface ReadinessIndicator {
  isHealthy(): Promise<HealthIndicatorResult>;
}

export interface HealthModuleOptions {
  /** Modules that export the indicators. */
  imports: ModuleMetadata['imports'];
  /** Indicator classes whose `isHealthy()` make up readiness. */
  indicators: Array<new (...args: never[]) => ReadinessIndicator>;
}

@Module({})
export class HealthModule {
  static register({ imports, indicators }: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(imports ?? [])],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          inject: indicators,
          useFactory: (...instances: ReadinessIndicator[]): HealthIndicatorFunction[] =>
            instances.map((indicator) => () => indicator.isHealthy()),
        },
      ],
    };
  }
}
