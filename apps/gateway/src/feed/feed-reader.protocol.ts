import type { FeedBatch } from './feed-outbox.js';

/** What the gateway's thread asks of the feed reader thread. */
export type ReaderCommand =
  | { op: 'subscribe' | 'unsubscribe'; id: number; channel: string }
  /** The last batch is taken: send the next when there is one. */
  | { op: 'taken' }
  | { op: 'close' };

/** What the feed reader thread tells the gateway's thread. */
export type ReaderMessage =
  | { batch: FeedBatch }
  /** The connection's ioredis status (`ready` while connected), for readiness. */
  | { status: string }
  | { log: 'error' | 'warn' | 'log' | 'debug' | 'verbose'; message: string; context?: string }
  | { closed: true };
