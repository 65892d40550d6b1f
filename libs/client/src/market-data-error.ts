import type { WsErrorCode } from '#app/contracts';

/** Codes the client raises itself, beside the gateway's own (WsErrorCode) which it passes on unchanged. */
export type ClientErrorCode =
  /** A frame from the gateway that is not JSON or not a message of the contract; it was ignored. */
  | 'INVALID_FRAME'
  /** A call's argument the client refuses before anything is sent (a throttle or interval not offered). */
  | 'INVALID_ARGUMENT'
  /** REST: the gateway answered 400. */
  | 'BAD_REQUEST'
  /** REST: the gateway answered 401: authentication is on and the apiKey or token is missing or wrong. */
  | 'UNAUTHORIZED'
  /** REST: the gateway answered 404 (an unknown symbol, named in the message). */
  | 'NOT_FOUND'
  /** REST: the gateway answered 503: what it reads from (Redis) is unavailable for now; retry after a while. */
  | 'UNAVAILABLE'
  /** REST: any other status that is not 2xx. */
  | 'HTTP_ERROR'
  /** REST: a 2xx answer whose body is not what the contract says. */
  | 'INVALID_RESPONSE'
  /** REST: no answer at all (refused, reset, timed out). */
  | 'NETWORK_ERROR';

export type MarketDataErrorCode = WsErrorCode | ClientErrorCode;

/** Every error the client reports or throws: a stable code to switch on and a message a person can act on. */
export class MarketDataError extends Error {
  override readonly name = 'MarketDataError';

  constructor(
    readonly code: MarketDataErrorCode,
    message: string,
    /** The symbols the error is about, when the gateway named them. */
    readonly symbols: string[] = [],
    /** The HTTP status, for REST errors that had one. */
    readonly status?: number,
    /** With RATE_LIMITED: the gateway's hint of how long to wait before asking again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
