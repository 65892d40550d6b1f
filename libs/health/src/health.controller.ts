import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { READINESS_CHECKS } from './health.constants.js';

/** `GET /health`: readiness (503 while a dependency is down). `GET /health/live`: the process answers. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: HealthIndicatorFunction[],
  ) {}

  @Get()
  @HealthCheck()
  readiness() {
    return this.health.check(this.checks);
  }

  @Get('live')
  @HealthCheck()
  liveness() {
    return this.health.check([]);
  }
}
