import { isIP } from 'node:net';

/** One WS_TRUSTED_PROXIES entry: an address, or a network in CIDR notation. */
export interface ProxyNetwork {
  network: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/**
 * Parses a comma-separated list of IP addresses and CIDR networks (`10.0.0.0/8`, `127.0.0.1`,
 * `fd00::/8`), and returns the entries it cannot read. A bare address is a network of one.
 */
export function parseTrustedProxies(value: string): { networks: ProxyNetwork[]; invalid: string[] } {
  const networks: ProxyNetwork[] = [];
  const invalid: string[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [network, prefixText, ...rest] = entry.split('/');
    const version = isIP(network);
    const bits = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    const wellFormed = prefixText === undefined || /^\d{1,3}$/.test(prefixText);
    if (version === 0 || rest.length > 0 || !wellFormed || prefix > bits) {
      invalid.push(entry);
      continue;
    }
    networks.push({ network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' });
  }
  return { networks, invalid };
}
