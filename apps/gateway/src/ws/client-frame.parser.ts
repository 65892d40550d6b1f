import { BAR_INTERVALS, CLIENT_ACTIONS, THROTTLE_MS, WsErrorCode, type BarInterval, type ThrottleMs } from '#app/contracts';

export interface SubscribeData {
  symbols: string[];
  /** Upper-cased symbol -> last seq the client holds. */
  since: Map<string, number>;
  throttleMs: ThrottleMs;
}

export interface BarsData {
  symbols: string[];
  interval: BarInterval;
}

/** What the adapter hands to a gateway handler: a known action, or `invalid` with the error to reply. */
export type ParsedFrame =
  | { event: 'subscribe'; data: SubscribeData }
  | { event: 'unsubscribe'; data: { symbols: string[] } }
  | { event: 'subscribeBars' | 'unsubscribeBars'; data: BarsData }
  | { event: 'ping'; data: undefined }
  | { event: 'invalid'; data: { code: WsErrorCode; message: string } };

type Invalid = Extract<ParsedFrame, { event: 'invalid' }>;

const invalid = (code: WsErrorCode, message: string): Invalid => ({ event: 'invalid', data: { code, message } });

/**
 * Turns a raw client frame `{"action":..., "payload":...}` into a Nest `{event, data}` message.
 * It never throws and never drops a frame: anything malformed becomes `invalid` with a stable code.
 * Symbols are upper-cased and de-duplicated here; whether they exist is the subscription's concern.
 */
export function parseClientFrame(raw: unknown, maxSymbols: number): ParsedFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw));
  } catch {
    return invalid(WsErrorCode.INVALID_JSON, 'Frame is not valid JSON');
  }
  if (!isObject(frame)) {
    return invalid(WsErrorCode.INVALID_MESSAGE, 'Frame must be a JSON object with an "action"');
  }
  const { action, payload } = frame;
  if (typeof action !== 'string') {
    return invalid(WsErrorCode.INVALID_MESSAGE, 'Field "action" must be a string');
  }
  if (!(CLIENT_ACTIONS as readonly string[]).includes(action)) {
    return invalid(WsErrorCode.UNKNOWN_ACTION, `Unknown action "${action.slice(0, 32)}"; expected one of ${CLIENT_ACTIONS.join(', ')}`);
  }
  if (action === 'ping') return { event: 'ping', data: undefined };
  const symbols = symbolsOf(action, payload, maxSymbols);
  if (!Array.isArray(symbols)) return symbols;
  const fields = payload as Record<string, unknown>;
  if (action === 'unsubscribe') return { event: 'unsubscribe', data: { symbols } };
  if (action === 'subscribe') return subscribeData(symbols, fields);
  const interval = fields.interval;
  if (typeof interval !== 'string' || !Object.hasOwn(BAR_INTERVALS, interval)) {
    return invalid(WsErrorCode.INVALID_MESSAGE, `"${action}" needs payload.interval: one of ${Object.keys(BAR_INTERVALS).join(', ')}`);
  }
  return { event: action as 'subscribeBars' | 'unsubscribeBars', data: { symbols, interval: interval as BarInterval } };
}

function symbolsOf(action: string, payload: unknown, maxSymbols: number): string[] | Invalid {
  const symbols = isObject(payload) ? payload.symbols : undefined;
  if (!Array.isArray(symbols) || symbols.length === 0 || !symbols.every((s) => typeof s === 'string')) {
    return invalid(WsErrorCode.INVALID_MESSAGE, `"${action}" needs payload.symbols: a non-empty array of strings`);
  }
  if (symbols.length > maxSymbols) {
    return invalid(WsErrorCode.TOO_MANY_SYMBOLS, `At most ${maxSymbols} symbols per connection`);
  }
  return [...new Set(symbols.map((s: string) => s.trim().toUpperCase()))];
}

function subscribeData(symbols: string[], payload: Record<string, unknown>): ParsedFrame {
  const throttleMs = payload.throttleMs ?? 0;
  if (!(THROTTLE_MS as readonly unknown[]).includes(throttleMs)) {
    return invalid(WsErrorCode.INVALID_MESSAGE, `payload.throttleMs must be one of ${THROTTLE_MS.join(', ')}`);
  }
  const since = new Map<string, number>();
  if (payload.since !== undefined) {
    if (!isObject(payload.since)) return invalid(WsErrorCode.INVALID_MESSAGE, 'payload.since must be an object of symbol -> last seq');
    for (const [key, seq] of Object.entries(payload.since)) {
      const symbol = key.trim().toUpperCase();
      if (!symbols.includes(symbol)) return invalid(WsErrorCode.INVALID_MESSAGE, `payload.since names ${symbol.slice(0, 16)}, which is not in payload.symbols`);
      if (!Number.isSafeInteger(seq) || (seq as number) < 0) {
        return invalid(WsErrorCode.INVALID_MESSAGE, `payload.since.${symbol.slice(0, 16)} must be a non-negative integer seq`);
      }
      since.set(symbol, seq as number);
    }
  }
  return { event: 'subscribe', data: { symbols, since, throttleMs: throttleMs as ThrottleMs } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
