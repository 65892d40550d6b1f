import { ApiProperty } from '@nestjs/swagger';
import { BAR_INTERVAL_NAMES, type BarInterval } from '#app/contracts';
import { BarModel } from './bar.model.js';

export class BarsResponse {
  @ApiProperty({ example: 'AAPL' })
  symbol!: string;

  @ApiProperty({ enum: BAR_INTERVAL_NAMES, example: '1m' })
  interval!: BarInterval;

  @ApiProperty({ type: [BarModel], description: 'By start ascending; the last may be open (closed: false).' })
  bars!: BarModel[];
}
