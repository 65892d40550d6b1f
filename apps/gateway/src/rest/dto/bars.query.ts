import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import { BAR_INTERVAL_NAMES, type BarInterval } from '#app/contracts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../rest.constants.js';
import { toWholeNumber } from './query-values.js';

const LIMIT = `limit must be a whole number from 1 to ${MAX_LIMIT}`;
const EPOCH_MS = `must be a whole number of epoch milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}`;

/** `GET /api/bars/{symbol}?interval=1m&from=MS&to=MS&limit=N` */
export class BarsQuery {
  @ApiProperty({ enum: BAR_INTERVAL_NAMES, description: 'Bar length.', example: '1m' })
  @IsIn(BAR_INTERVAL_NAMES, { message: `interval must be one of ${BAR_INTERVAL_NAMES.join(', ')}` })
  interval!: BarInterval;

  @ApiPropertyOptional({ type: Number, minimum: 0, description: 'Earliest bar start (epoch ms, inclusive): the answer is the first bars from here.' })
  @IsOptional()
  @Transform(({ value }) => toWholeNumber(value))
  @IsInt({ message: `from ${EPOCH_MS}` })
  @Min(0, { message: `from ${EPOCH_MS}` })
  @Max(Number.MAX_SAFE_INTEGER, { message: `from ${EPOCH_MS}` })
  from?: number;

  @ApiPropertyOptional({ type: Number, minimum: 0, description: 'Latest bar start (epoch ms, inclusive). Without from, the answer is the last bars up to here.' })
  @IsOptional()
  @Transform(({ value }) => toWholeNumber(value))
  @IsInt({ message: `to ${EPOCH_MS}` })
  @Min(0, { message: `to ${EPOCH_MS}` })
  @Max(Number.MAX_SAFE_INTEGER, { message: `to ${EPOCH_MS}` })
  @NotBefore('from')
  to?: number;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'How many bars at most.' })
  @Transform(({ value }) => toWholeNumber(value))
  @IsInt({ message: LIMIT })
  @Min(1, { message: LIMIT })
  @Max(MAX_LIMIT, { message: LIMIT })
  limit: number = DEFAULT_LIMIT;
}

/** The value is not below the named sibling (when that one is a number): an empty range is a mistake. */
function NotBefore(property: string): PropertyDecorator {
  return ValidateBy({
    name: 'notBefore',
    constraints: [property],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const other = (args?.object as Record<string, unknown>)[property];
        return typeof value !== 'number' || typeof other !== 'number' || value >= other;
      },
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must not be before ${property}`,
    },
  });
}
