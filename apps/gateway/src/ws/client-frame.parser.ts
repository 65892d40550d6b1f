import { CLIENT_ACTIONS, WsErrorCode, type ClientAction } from '#app/contracts';

/** What the adapter hands to a gateway handler: a known action, or `invalid` with the error to reply. */
export type ParsedFrame =
  | { event: Exclude<ClientAction, 'ping'>; data: { symbols: string[] } }
  | { event: 'ping'; data: undefined }
  | { event: 'invalid'; data: { code: WsErrorCode; message: string } };

const invalid = (code: WsErrorCode, message: string): ParsedFrame => ({ event: 'invalid', data: { code, message } });

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
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
    return invalid(WsErrorCode.INVALID_MESSAGE, 'Frame must be a JSON object with an "action"');
  }
  const { action, payload } = frame as { action?: unknown; payload?: unknown };
  if (typeof action !== 'string') {
    return invalid(WsErrorCode.INVALID_MESSAGE, 'Field "action" must be a string');
  }
  if (!(CLIENT_ACTIONS as readonly string[]).includes(action)) {
    return invalid(WsErrorCode.UNKNOWN_ACTION, `Unknown action "${action.slice(0, 32)}"; expected one of ${CLIENT_ACTIONS.join(', ')}`);
  }
  if (action === 'ping') return { event: 'ping', data: undefined };
  const symbols = (payload as { symbols?: unknown } | null | undefined)?.symbols;
  if (!Array.isArray(symbols) || symbols.length === 0 || !symbols.every((s) => typeof s === 'string')) {
    return invalid(WsErrorCode.INVALID_MESSAGE, `"${action}" needs payload.symbols: a non-empty array of strings`);
  }
  if (symbols.length > maxSymbols) {
    return invalid(WsErrorCode.TOO_MANY_SYMBOLS, `At most ${maxSymbols} symbols per connection`);
  }
  const upper = [...new Set(symbols.map((s: string) => s.trim().toUpperCase()))];
  return { event: action as Exclude<ClientAction, 'ping'>, data: { symbols: upper } };
}
