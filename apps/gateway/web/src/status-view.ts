import type { ConnectionState } from '../../../../libs/client/src/index.js';

/** What the pill shows. `retryAt` is when the next attempt starts, or null while one is under way. */
export type StatusView =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; retryAt: number | null }
  | { kind: 'offline'; retryAt: number | null };

/** The client's connection state as the user should read it; `online` is navigator.onLine. */
export function statusView(state: ConnectionState, online: boolean): StatusView {
  switch (state.kind) {
    case 'open':
      return { kind: 'live' };
    case 'connecting':
      return state.reconnect ? { kind: 'reconnecting', retryAt: null } : { kind: 'connecting' };
    case 'waiting':
      return { kind: online ? 'reconnecting' : 'offline', retryAt: state.retryAt };
    case 'idle':
      return { kind: 'connecting' };
    case 'closed':
      return { kind: 'offline', retryAt: null };
  }
}
