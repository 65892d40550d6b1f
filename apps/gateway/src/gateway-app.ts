import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { gatewayConfig } from '#app/config';
import { AppModule } from './app.module.js';
import { serveApiDocs } from './rest/api-docs.js';
import { QuoteWsAdapter } from './ws/quote-ws.adapter.js';

/** One gateway: the Nest app with its WebSocket adapter, listening on GATEWAY_PORT (alone, or as one of GATEWAY_WORKERS). */
export async function startGateway(logger: LoggerService) {
  const config = gatewayConfig();
  const app = await NestFactory.create(AppModule, { logger, abortOnError: false });
  app.useWebSocketAdapter(new QuoteWsAdapter(app, config));
  serveApiDocs(app);
  await app.listen(config.port, config.host);
  logger.log(`serving ws://127.0.0.1:${config.port}/ws, REST on :${config.port}/api (docs at /api/docs), health on :${config.port}/health`);
  return app;
}
