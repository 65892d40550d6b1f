import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NOT_BUILT_PAGE, WEB_ROOT } from './web.constants.js';

/** Hashed bundles never change under one name; index.html must be re-read so a rebuild is picked up. */
const STATIC_OPTIONS = {
  index: 'index.html',
  setHeaders: (res: { setHeader(name: string, value: string): void }, path: string) =>
    res.setHeader('Cache-Control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
};

/**
 * Serves the watchlist page that `vite build` writes to dist/web, at `/`.
 * It registers in onModuleInit, which Nest runs after the routes and before its 404 handler (the way
 * @nestjs/serve-static does), so `/health` always wins; the `/ws` upgrade never reaches Express.
 */
@Module({})
export class WebModule implements OnModuleInit {
  private readonly logger = new Logger(WebModule.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit() {
    const http = this.adapterHost.httpAdapter;
    if (existsSync(join(WEB_ROOT, 'index.html'))) {
      http.useStaticAssets(WEB_ROOT, STATIC_OPTIONS);
      return;
    }
    this.logger.warn(`no watchlist page in ${WEB_ROOT}: run \`npm run build:web\`; serving a placeholder at /`);
    http.get('/', (_req: unknown, res: unknown) => {
      http.setHeader(res, 'Content-Type', 'text/plain; charset=utf-8');
      http.reply(res, NOT_BUILT_PAGE, 503);
    });
  }
}
