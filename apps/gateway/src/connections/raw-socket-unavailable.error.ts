/** `ws` no longer hands over the socket the gateway writes frames to: pin `ws` back or drop the fast path. */
export class RawSocketUnavailableError extends Error {
  readonly code = 'WS_RAW_SOCKET_UNAVAILABLE';

  constructor(reason: string) {
    super(
      `cannot write prebuilt frames to ws's socket: ${reason}. ` +
        'The gateway was checked against the ws version pinned in package.json; reinstall that version (npm ci) ' +
        'or change RawSocketAccess for the new one.',
    );
    this.name = 'RawSocketUnavailableError';
  }
}
