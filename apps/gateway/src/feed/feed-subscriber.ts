import type { PubSubCommands } from './channel-subscription.js';

/** The `affected` of a lost connection that held every subscription. */
export const EVERY_CHANNEL = (_channel: string) => true;

/** What the feed hears from its pub/sub connection. */
export interface FeedListener {
  message(channel: string, payload: string): void;
  /** Subscriptions were lost with a connection: those of the channels for which `affected` is true. */
  lost(affected: (channel: string) => boolean): void;
  /** Subscribing may work again: re-subscribe every wanted channel that is not live. */
  resubscribe(): void;
}

/**
 * The gateway's pub/sub connection, to the single Redis (SUBSCRIBE) or to a Redis Cluster's shards
 * (SSUBSCRIBE): what QuoteFeed needs of either. Neither re-subscribes by itself on the feed's behalf;
 * it says what was lost and when to try again, and each channel's state machine does the rest.
 */
export interface FeedSubscriber extends PubSubCommands {
  /** `ready` while connected (readiness). */
  readonly status: string;
  listen(listener: FeedListener): void;
  close(): Promise<void>;
}
