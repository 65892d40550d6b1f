import { ApiProperty } from '@nestjs/swagger';
import { QuoteModel } from './quote.model.js';

export class HistoryResponse {
  @ApiProperty({ example: 'AAPL' })
  symbol!: string;

  @ApiProperty({ type: [QuoteModel], description: 'In seq order.' })
  quotes!: QuoteModel[];

  @ApiProperty({
    description:
      'With since: true when history reaches back to since (or nothing newer exists), false when quotes after since are gone: there is a gap before the first quote. ' +
      'Without since: true when history holds nothing older than the first quote.',
  })
  complete!: boolean;
}
