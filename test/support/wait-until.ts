import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Describes the state when the wait times out, so the failure says how far it got. */
  state?: () => unknown;
}

/**
 * Polls `check` until it returns a value other than undefined/false and resolves with it; rejects
 * after `timeoutMs` naming what it waited for. Errors thrown by `check` count as "not yet".
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, options: WaitOptions): Promise<T> {
  const { timeoutMs, intervalMs = 200, state } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const shown = state ? ` State: ${JSON.stringify(await state(), replacer)}` : '';
      const error = lastError ? ` Last error: ${(lastError as Error).message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}.${shown}${error}`);
    }
    await sleep(intervalMs);
  }
}

/** JSON for Maps too, so a wait on per-symbol state prints it. */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}
