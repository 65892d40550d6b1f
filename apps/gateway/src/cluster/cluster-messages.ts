/**
 * What a gateway worker and the primary of GATEWAY_WORKERS say to each other over the cluster's IPC
 * channel; every message carries `gw` so other IPC traffic (prom-client's own) is left alone.
 */
export type WorkerRequest =
  /** May one more connection from the address `key` open, with at most `cap` over all workers? */
  | { gw: 'claim'; id: number; key: string; cap: number }
  /** A connection from `key` claimed earlier has closed. */
  | { gw: 'release'; key: string }
  /** The metrics of every worker, aggregated, for one /metrics answer. */
  | { gw: 'metrics'; id: number };

export type PrimaryAnswer = { gw: 'claimed'; id: number; ok: boolean } | { gw: 'metrics'; id: number; text?: string; error?: string };

export function isGatewayMessage(message: unknown): message is { gw: string } {
  return typeof message === 'object' && message !== null && typeof (message as { gw?: unknown }).gw === 'string';
}
