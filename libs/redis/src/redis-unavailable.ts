/** ioredis errors raised because no Redis could answer the command, by name. */
const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/** ioredis messages for a command that never got an answer: the connection closed or was never there. */
const UNAVAILABLE_MESSAGES = [
  'Connection is closed.',
  'Command timed out',
  'None of startup nodes is available',
  'Cluster is disconnected.',
  'Cluster is disconnecting.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  'Too many Cluster redirections',
];

/** Socket errors from the connection to Redis. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Replies of a Redis that is there but cannot serve now: loading its dataset after a restart, a cluster
 * without a master for the slot, a slot moving, a replica without its master, a script running too long.
 */
const UNAVAILABLE_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY)\b/;

/**
 * True when a Redis command failed because Redis is unavailable (a transient condition: asking again
 * later may work), false for anything else (a wrong command, a script error, a bug: asking again will
 * not help). ioredis gives these errors no common class, so they are told apart by name, message and code.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE_NAMES.has(err.name)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (UNAVAILABLE_MESSAGES.some((message) => err.message.startsWith(message))) return true;
  return err.name === 'ReplyError' && UNAVAILABLE_REPLY.test(err.message);
}
