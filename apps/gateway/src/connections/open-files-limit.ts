import { readFileSync } from 'node:fs';

/**
 * Descriptors a gateway needs besides its client sockets: the listening socket, its Redis connections
 * (commands, the feed's pub/sub shards, their reconnects), stdout, and the /health and /metrics requests
 * and refused upgrades that must still be answered when it is full. An idle gateway holds about 40.
 */
export const RESERVED_FILES = 256;

/**
 * The process's soft open-files limit (RLIMIT_NOFILE, what `ulimit -n` shows), from /proc/self/limits;
 * null where it is unlimited or cannot be read (not Linux). Past it, accept() fails with EMFILE: the
 * server can no longer answer anyone, not even /health, and clients beyond it hang unanswered.
 */
export function softOpenFilesLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number | null {
  let text: string;
  try {
    text = read();
  } catch {
    return null;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === undefined || !/^\d+$/.test(soft)) return null;
  return Number(soft);
}

/** Client connections that fit under `limit` open files with RESERVED_FILES kept back; null for no limit. */
export function connectionsWithin(limit: number | null): number | null {
  return limit === null ? null : Math.max(0, limit - RESERVED_FILES);
}
