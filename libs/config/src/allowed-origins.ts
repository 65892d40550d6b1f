/** WS_ALLOWED_ORIGINS parsed: the origins browsers may open sockets from, besides the page's own. */
export interface AllowedOrigins {
  /** `*` was listed: every origin is allowed (a public feed that any site may embed). */
  any: boolean;
  /** Serialised origins (`https://app.example.com`, lower-case, default port dropped), compared exactly. */
  origins: ReadonlySet<string>;
}

/**
 * Parses a comma-separated list of `scheme://host[:port]` origins (http or https) or `*`, and returns
 * the entries it cannot accept: a path, a query, credentials or another scheme would never equal a
 * browser's Origin header, so listing one is a mistake worth refusing at start.
 */
export function parseAllowedOrigins(value: string): { allowed: AllowedOrigins; invalid: string[] } {
  const origins = new Set<string>();
  const invalid: string[] = [];
  let any = false;
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    if (entry === '*') {
      any = true;
      continue;
    }
    const origin = serialisedOrigin(entry);
    if (origin) origins.add(origin);
    else invalid.push(entry);
  }
  return { allowed: { any, origins }, invalid };
}

function serialisedOrigin(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  if (!bare || (url.protocol !== 'http:' && url.protocol !== 'https:') || !/^https?:\/\/[^/]+\/?$/i.test(entry)) return null;
  return url.origin;
}
