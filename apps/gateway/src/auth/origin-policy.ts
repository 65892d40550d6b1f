import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { gatewayConfig, type GatewayConfig } from '#app/config';

/**
 * Which web pages may open sockets: browsers send the page's Origin with every upgrade and let any page
 * open a WebSocket anywhere, so without this check any site could use its visitors' browsers (and their
 * cookies, and their addresses' budgets) against the gateway. Allowed: the gateway's own page (the
 * Origin's host is the Host the request was sent to), the origins in WS_ALLOWED_ORIGINS (or all with
 * `*`), and clients that send no Origin at all (servers, CLIs), unless WS_REQUIRE_ORIGIN is true.
 */
@Injectable()
export class OriginPolicy {
  constructor(@Inject(gatewayConfig.KEY) private readonly config: Pick<GatewayConfig, 'allowedOrigins' | 'requireOrigin'>) {}

  allows(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return !this.config.requireOrigin;
    const { any, origins } = this.config.allowedOrigins;
    if (any) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // `null` (sandboxed frames, file:// pages) and anything else unreadable
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return origins.has(url.origin) || isSameHost(url, request.headers.host);
  }
}

/** The Host header read with the Origin's scheme, so `example.com` and `example.com:443` are one host over https. */
function isSameHost(origin: URL, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}
