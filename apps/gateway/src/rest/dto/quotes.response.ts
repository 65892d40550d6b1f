import { ApiProperty } from '@nestjs/swagger';
import { QuoteModel } from './quote.model.js';

export class QuotesResponse {
  @ApiProperty({ type: [QuoteModel], description: 'The latest quote of each symbol asked for that has one.' })
  quotes!: QuoteModel[];
}
