import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { RestModule } from './rest.module.js';

/**
 * The OpenAPI document at /api/docs-json and Swagger UI at /api/docs, its assets served from
 * node_modules/swagger-ui-dist. The document is built on first request, not at start-up, and covers the
 * REST module only. `validatorUrl: null`: the UI would otherwise send the document to swagger.io.
 */
export function serveApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Stock Watchlist REST API')
    .setDescription('Latest quotes, quote history and OHLC bars. Live updates are on the WebSocket at /ws.')
    .setVersion('1')
    // Either, per WS_AUTH_MODE; with authentication off, neither is needed.
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, config, { include: [RestModule] }), {
    jsonDocumentUrl: 'api/docs-json',
    raw: ['json'],
    customSiteTitle: 'Stock Watchlist REST API',
    swaggerOptions: { validatorUrl: null },
  });
}
