import { createRequire } from 'node:module';

/**
 * cluster-key-slot, the function ioredis routes commands with, at the version ioredis pins (1.1.1 ships
 * no types, hence the require): grouping by it agrees with ioredis's routing by construction.
 */
const calculateSlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

/** The Redis Cluster slot (0-16383) of a key or shard channel: CRC16 of its hash tag, or of the whole name. */
export function slotOf(key: string): number {
  return calculateSlot(key);
}
