import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { gatewayConfig, type GatewayConfig } from '#app/config';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const BRACKETED = /^\[([^\]]+)\](?::\d+)?$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;

/**
 * The address of the client behind a request, which every per-address rule keys on. X-Forwarded-For is
 * believed only from WS_TRUSTED_PROXIES: anyone else could write any address into it. Walking the chain
 * from the right (each proxy appends the peer it saw), the first hop that is not a trusted proxy is the
 * client; what lies left of it was written by the client itself and proves nothing.
 */
@Injectable()
export class TrustedProxies {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  constructor(@Inject(gatewayConfig.KEY) config: Pick<GatewayConfig, 'trustedProxies'>) {
    for (const { network, prefix, family } of config.trustedProxies) {
      this.trusted.addSubnet(network, prefix, family);
    }
    this.any = config.trustedProxies.length > 0;
  }

  clientAddress(request: IncomingMessage): string {
    const peer = canonical(request.socket.remoteAddress ?? '') ?? 'unknown';
    if (!this.any || !this.isTrusted(peer)) return peer;
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = canonical(withoutPort(hops[i].trim()));
      // A hop a trusted proxy wrote that is not an address: the client is unknown, so the last proxy stands in.
      if (hop === null) return client;
      client = hop;
      if (!this.isTrusted(hop)) return hop;
    }
    return client;
  }

  private isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.trusted.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function withoutPort(hop: string): string {
  return BRACKETED.exec(hop)?.[1] ?? IPV4_WITH_PORT.exec(hop)?.[1] ?? hop;
}

/** One spelling per address, so per-address counts and buckets cannot be split by writing it differently. */
function canonical(address: string): string | null {
  const mapped = MAPPED_IPV4.exec(address)?.[1];
  const bare = mapped ?? address;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return null;
  try {
    return new URL(`http://[${bare}]`).hostname.slice(1, -1);
  } catch {
    return bare.toLowerCase(); // a zone index (fe80::1%eth0) is valid here but not in a URL
  }
}
