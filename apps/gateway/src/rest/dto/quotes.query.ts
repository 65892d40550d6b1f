import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsDefined, Matches } from 'class-validator';
import { SYMBOL_PATTERN } from '#app/contracts';
import { MAX_SYMBOLS_PER_REQUEST } from '../rest.constants.js';
import { toSymbolList } from './query-values.js';

/** `GET /api/quotes?symbols=AAPL,GOOG` */
export class QuotesQuery {
  @ApiProperty({
    type: String,
    description: `Comma-separated tickers, case-insensitive, at most ${MAX_SYMBOLS_PER_REQUEST}.`,
    example: 'AAPL,GOOG',
  })
  @Transform(({ value }) => toSymbolList(value))
  @IsDefined({ message: 'symbols is required: a comma-separated list of tickers such as AAPL,GOOG' })
  @IsArray({ message: 'symbols must be a comma-separated list of tickers such as AAPL,GOOG' })
  @ArrayNotEmpty({ message: 'symbols must name at least one ticker' })
  @ArrayMaxSize(MAX_SYMBOLS_PER_REQUEST, { message: `symbols may name at most ${MAX_SYMBOLS_PER_REQUEST} tickers` })
  @Matches(SYMBOL_PATTERN, {
    each: true,
    message: 'symbols must be a comma-separated list of tickers such as AAPL,GOOG: each a letter, then up to nine letters, digits, dots or dashes',
  })
  symbols!: string[];
}
