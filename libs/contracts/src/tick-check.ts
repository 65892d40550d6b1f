import { SYMBOL_PATTERN, type Tick } from './quote.js';
import type { TickValidation } from './tick.dto.js';

const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * The TickDto rules written out by hand, for the processor's hot path: class-validator's generic
 * machinery (metadata lookups, an error object per constraint) was a third of the processor's CPU.
 * `tick-check.spec.ts` proves it accepts and rejects exactly what `validateTick` (the DTO) does.
 */
export function checkTick(value: unknown): TickValidation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  const { symbol, price, bid, ask, volume, change, changePercent, timestamp, seq } = value as Record<string, unknown>;
  const reason =
    typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol) ? 'symbol must be an upper-case ticker'
    : !isFinite(price) || price <= 0 ? 'price must be a positive finite number'
    : !isFinite(bid) || bid <= 0 ? 'bid must be a positive finite number'
    : !isFinite(ask) || ask <= 0 ? 'ask must be a positive finite number'
    : !isInt(volume) || volume < 0 ? 'volume must be a non-negative integer'
    : !isFinite(change) ? 'change must be a finite number'
    : !isFinite(changePercent) ? 'changePercent must be a finite number'
    : !isInt(timestamp) || timestamp <= 0 ? 'timestamp must be a positive integer'
    : !isInt(seq) || seq < 0 ? 'seq must be a non-negative integer'
    : bid > ask ? 'bid must not exceed ask'
    : null;
  if (reason) return { ok: false, reason };
  const tick: Tick = {
    symbol: symbol as string,
    price: price as number,
    bid: bid as number,
    ask: ask as number,
    volume: volume as number,
    change: change as number,
    changePercent: changePercent as number,
    timestamp: timestamp as number,
    seq: seq as number,
  };
  return { ok: true, tick };
}
