import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';

/** At most one summary line per this interval, however many errors clients cause. */
export const CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Errors that a client causes on its own socket (an oversized frame, bad UTF-8, a bad opcode, a reset
 * while we write). `ws` closes the socket itself; all that is left for us is to say it happened. A
 * stranger can cause them at will, so each one is counted (for /metrics) but the log gets the first
 * one of a quiet period, then at most one summary line per interval while they keep coming.
 */
@Injectable()
export class ClientSocketErrors implements OnApplicationShutdown {
  private readonly logger = new Logger(ClientSocketErrors.name);
  /** Every client socket error since start, for /metrics. */
  total = 0;
  /** Errors since the last line, and the message of the latest of them. */
  private unlogged = 0;
  private latest = '';
  /** Set while an interval runs: errors are summed up until it ends. */
  private timer: NodeJS.Timeout | null = null;

  /** Shared by every socket as its 'error' listener, so it closes over nothing per socket. */
  readonly record = (err: Error): void => {
    this.total++;
    if (this.timer) {
      this.unlogged++;
      this.latest = describe(err);
      return;
    }
    this.logger.warn(`client socket error: ${describe(err)} (further ones summed up every ${CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS / 1000} s)`);
    this.startInterval();
  };

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private startInterval(): void {
    // Unref'd: a pending summary must not keep a stopping gateway alive.
    this.timer = setTimeout(() => this.endInterval(), CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS).unref();
  }

  /** Logs what the interval gathered and starts another; a quiet interval ends the summing up. */
  private endInterval(): void {
    this.timer = null;
    if (this.unlogged === 0) return;
    this.logger.warn(`${this.unlogged} client socket errors in the last ${CLIENT_SOCKET_ERROR_LOG_INTERVAL_MS / 1000} s, last: ${this.latest}`);
    this.unlogged = 0;
    this.latest = '';
    this.startInterval();
  }
}

/** The error's `ws` code (WS_ERR_UNSUPPORTED_MESSAGE_LENGTH...) or errno code and message, on one short line. */
function describe(err: Error): string {
  const code = (err as { code?: unknown }).code;
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${err?.message ?? String(err)}`;
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
