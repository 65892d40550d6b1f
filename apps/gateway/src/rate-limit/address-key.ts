import { isIP } from 'node:net';

/**
 * What the per-address budget keys on: an IPv4 address as it is, an IPv6 address as its /64. One host
 * (one home, one VM) is routinely given a whole /64 and can pick any of its 2^64 addresses per
 * connection, so keying on the full address would give it a fresh budget per address. An IPv4-mapped
 * address (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 peers) is the IPv4 address; a zone
 * index (`fe80::1%eth0`) is dropped. Anything that is not an address (`unknown`) is kept as it is.
 */
export function addressKey(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone >= 0 ? address.slice(0, zone) : address;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return address;
  const groups = hextets(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a trailing dotted IPv4 part split in two. */
function hextets(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, null];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [parseInt(group, 16)];
      const [a, b, c, d] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const left = parse(head);
  if (tail === null) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
