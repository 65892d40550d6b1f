import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../rest.constants.js';
import { toWholeNumber } from './query-values.js';

const SINCE = `since must be the last seq you hold: a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
const LIMIT = `limit must be a whole number from 1 to ${MAX_LIMIT}`;

/** `GET /api/quotes/{symbol}/history?since=SEQ&limit=N` */
export class HistoryQuery {
  @ApiPropertyOptional({
    type: Number,
    minimum: 0,
    description: 'The last seq the client holds: the answer starts after it. Without it, the latest quotes.',
    example: 1764000000000123,
  })
  @IsOptional()
  @Transform(({ value }) => toWholeNumber(value))
  @IsInt({ message: SINCE })
  @Min(0, { message: SINCE })
  @Max(Number.MAX_SAFE_INTEGER, { message: SINCE })
  since?: number;

  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'How many quotes at most.' })
  @Transform(({ value }) => toWholeNumber(value))
  @IsInt({ message: LIMIT })
  @Min(1, { message: LIMIT })
  @Max(MAX_LIMIT, { message: LIMIT })
  limit: number = DEFAULT_LIMIT;
}
