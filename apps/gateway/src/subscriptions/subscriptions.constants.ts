/** Injection token: how long a subscribe waits for its Redis channels before it answers FEED_UNAVAILABLE. */
export const CHANNEL_WAIT_MS = Symbol('CHANNEL_WAIT_MS');

/** Long enough for a SUBSCRIBE on a healthy Redis by far; short enough that the client's next request is not held up for long. */
export const DEFAULT_CHANNEL_WAIT_MS = 5000;
