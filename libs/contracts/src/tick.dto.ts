import { IsInt, IsNumber, IsPositive, Matches, Min, validateSync } from 'class-validator';
import { SYMBOL_PATTERN, type Tick } from './quote.js';

const FINITE = { allowNaN: false, allowInfinity: false } as const;

/** The validation rules of a tick read from Kafka: nothing else reaches Redis. */
export class TickDto implements Tick {
  @Matches(SYMBOL_PATTERN, { message: 'symbol must be an upper-case ticker' })
  symbol!: string;

  @IsNumber(FINITE) @IsPositive()
  price!: number;

  @IsNumber(FINITE) @IsPositive()
  bid!: number;

  @IsNumber(FINITE) @IsPositive()
  ask!: number;

  @IsInt() @Min(0)
  volume!: number;

  @IsNumber(FINITE)
  change!: number;

  @IsNumber(FINITE)
  changePercent!: number;

  @IsInt() @IsPositive()
  timestamp!: number;

  @IsInt() @Min(0)
  seq!: number;
}

export type TickValidation = { ok: true; tick: Tick } | { ok: false; reason: string };

/** Checks an untrusted value (a parsed Kafka record) and returns a clean tick or the reason it is not one. */
export function validateTick(value: unknown): TickValidation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const v = value as Record<string, unknown>;
  const tick = Object.assign(new TickDto(), {
    symbol: v.symbol,
    price: v.price,
    bid: v.bid,
    ask: v.ask,
    volume: v.volume,
    change: v.change,
    changePercent: v.changePercent,
    timestamp: v.timestamp,
    seq: v.seq,
  });
  const errors = validateSync(tick, { stopAtFirstError: true });
  if (errors.length > 0) {
    return { ok: false, reason: errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') };
  }
  if (tick.bid > tick.ask) {
    return { ok: false, reason: 'bid must not exceed ask' };
  }
  return { ok: true, tick: { ...tick } };
}
