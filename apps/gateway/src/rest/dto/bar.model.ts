import { ApiProperty } from '@nestjs/swagger';
import { BAR_INTERVAL_NAMES, type Bar, type BarInterval } from '#app/contracts';

/** The Bar contract (libs/contracts), described for the OpenAPI document. */
export class BarModel implements Bar {
  @ApiProperty({ example: 'AAPL' }) symbol!: string;
  @ApiProperty({ enum: BAR_INTERVAL_NAMES, example: '1m' }) interval!: BarInterval;
  @ApiProperty({ example: 1764000000000, description: 'Open time, epoch ms, a multiple of the interval.' }) start!: number;
  @ApiProperty({ example: 189.5 }) open!: number;
  @ApiProperty({ example: 189.9 }) high!: number;
  @ApiProperty({ example: 189.4 }) low!: number;
  @ApiProperty({ example: 189.7 }) close!: number;
  @ApiProperty({ example: 1200, description: 'Traded within the bar.' }) volume!: number;
  @ApiProperty({ example: 120, description: 'Ticks counted into the bar.' }) ticks!: number;
  @ApiProperty({ example: 1764000000000123, description: 'The last tick\'s seq.' }) seq!: number;
  @ApiProperty({ example: false, description: 'True once a tick of a later bar arrived; the last bar of an answer may be open.' }) closed!: boolean;
}
