import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { metricsConfig, type MetricsConfig } from '#app/config';
import { METRICS_TEXT } from './metrics.constants.js';

/** `GET /metrics` in the Prometheus text format, on the app's port unless METRICS_PORT moves it. */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
    @Inject(METRICS_TEXT) private readonly text: () => Promise<string>,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    // The route is declared at import time, before the config is read; with its own port it answers 404 here.
    if (this.config.port !== null) throw new NotFoundException('metrics are served on METRICS_PORT');
    return this.text();
  }
}
