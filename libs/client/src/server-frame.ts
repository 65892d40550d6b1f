import type { Bar, Quote, Recovery, ServerMessage } from '#app/contracts';

export type FrameParse = { ok: true; message: ServerMessage } | { ok: false; reason: string };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFinite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((s) => typeof s === 'string');

/** The fields the client relies on; a quote missing one would break seq tracking or whoever draws it. */
export function isQuote(value: unknown): value is Quote {
  if (!isObject(value)) return false;
  const q = value;
  return (
    typeof q.symbol === 'string' &&
    isSeq(q.seq) &&
    isFinite(q.price) &&
    isFinite(q.bid) &&
    isFinite(q.ask) &&
    isFinite(q.volume) &&
    isFinite(q.change) &&
    isFinite(q.changePercent) &&
    isFinite(q.timestamp)
  );
}

export function isBar(value: unknown): value is Bar {
  if (!isObject(value)) return false;
  const b = value;
  return (
    typeof b.symbol === 'string' &&
    typeof b.interval === 'string' &&
    isFinite(b.start) &&
    isFinite(b.open) &&
    isFinite(b.high) &&
    isFinite(b.low) &&
    isFinite(b.close) &&
    isFinite(b.volume) &&
    isSeq(b.seq) &&
    typeof b.closed === 'boolean'
  );
}

function isRecovery(value: unknown): value is Record<string, Recovery> {
  if (!isObject(value)) return false;
  for (const r of Object.values(value)) if (!isObject(r) || typeof r.recovered !== 'boolean' || !isSeq(r.replayed)) return false;
  return true;
}

/**
 * Checks a frame from the gateway against the contract. It runs once per tick, so it only reads fields
 * (no schema library, no copies); it never throws: whatever is wrong comes back as a reason.
 */
export function parseServerFrame(data: unknown): FrameParse {
  if (typeof data !== 'string') return { ok: false, reason: 'not a text frame' };
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (!isObject(frame) || typeof frame.type !== 'string') return { ok: false, reason: 'not an object with a "type"' };
  if (!isValidPayload(frame.type, frame.payload)) return { ok: false, reason: `not a valid "${frame.type.slice(0, 32)}" message` };
  return { ok: true, message: frame as ServerMessage };
}

function isValidPayload(type: string, payload: unknown): boolean {
  if (type === 'update') return isQuote(payload);
  if (type === 'pong') return true;
  if (!isObject(payload)) return false;
  switch (type) {
    case 'bar':
      return isBar(payload);
    case 'snapshot':
      return Array.isArray(payload.quotes) && payload.quotes.every(isQuote) && (payload.recovery === undefined || isRecovery(payload.recovery));
    case 'subscribed':
    case 'unsubscribed':
      return isStrings(payload.symbols);
    case 'barsSubscribed':
    case 'barsUnsubscribed':
      return isStrings(payload.symbols) && typeof payload.interval === 'string';
    case 'error':
      return (
        typeof payload.code === 'string' &&
        typeof payload.message === 'string' &&
        (payload.symbols === undefined || isStrings(payload.symbols)) &&
        (payload.retryAfterMs === undefined || (Number.isFinite(payload.retryAfterMs) && (payload.retryAfterMs as number) >= 0))
      );
    default:
      return false;
  }
}
