import { ApiProperty } from '@nestjs/swagger';
import type { Quote } from '#app/contracts';

/** The Quote contract (libs/contracts), described for the OpenAPI document. */
export class QuoteModel implements Quote {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ example: 189.52 }) price!: number;
  @ApiProperty({ example: 189.51 }) bid!: number;
  @ApiProperty({ example: 189.53 }) ask!: number;
  @ApiProperty({ example: 1234567, description: 'Volume traded so far today.' }) volume!: number;
  @ApiProperty({ example: 0.02, description: "Price minus the day's open." }) change!: number;
  @ApiProperty({ example: 0.01, description: 'change / open * 100.' }) changePercent!: number;
  @ApiProperty({ example: 1764000000000, description: 'Epoch ms at generation.' }) timestamp!: number;
  @ApiProperty({ example: 1764000000000123, description: 'Per-symbol counter, +1 per tick; jumps when the generator restarts.' }) seq!: number;
}
