import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { ClientAddressSource } from './address-budget.guard.js';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The address of the TCP peer, as the socket's per-address rules see it on main. It stands in until the
 * `door` branch's TrustedProxies (which also believes X-Forwarded-For from configured proxies) is merged.
 */
@Injectable()
export class PeerAddress implements ClientAddressSource {
  clientAddress(request: IncomingMessage): string {
    const peer = request.socket.remoteAddress ?? 'unknown';
    return MAPPED_IPV4.exec(peer)?.[1] ?? peer;
  }
}
