import { fileURLToPath } from 'node:url';

/** `<repo>/dist/web`, seen from this file compiled to `dist/apps/gateway/src/web/`. */
export const WEB_ROOT = fileURLToPath(new URL('../../../../web/', import.meta.url));

export const NOT_BUILT_PAGE = 'The watchlist page has not been built. Run `npm run build:web`, then reload.\n';
