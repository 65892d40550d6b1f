import { Controller, Get, Param, Query, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiSecurity, ApiServiceUnavailableResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { HistoryReader } from '../feed/history-reader.js';
import { QuoteReader } from '../feed/quote-reader.js';
import { AddressBudgetGuard } from './address-budget.guard.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { ApiErrorModel } from './dto/api-error.model.js';
import { HistoryQuery } from './dto/history.query.js';
import { HistoryResponse } from './dto/history.response.js';
import { QuotesQuery } from './dto/quotes.query.js';
import { QuotesResponse } from './dto/quotes.response.js';
import { KnownSymbolPipe } from './known-symbol.pipe.js';
import { RedisUnavailableFilter } from './redis-unavailable.filter.js';
import { RestValidationPipe } from './rest-validation.pipe.js';
import { SymbolUniverse } from './symbol-universe.js';

/** Latest quotes and a symbol's quote history, read from what the processor keeps in Redis. */
@ApiTags('quotes')
@ApiBadRequestResponse({ type: ApiErrorModel, description: 'A malformed parameter; the message names it.' })
@ApiNotFoundResponse({ type: ApiErrorModel, description: 'A symbol this deployment does not trade; the message names it.' })
@ApiUnauthorizedResponse({ type: ApiErrorModel, description: 'Authentication is on (WS_AUTH_MODE) and the request has no valid credential.' })
@ApiTooManyRequestsResponse({ type: ApiErrorModel, description: 'Over the per-address budget; see Retry-After.' })
@ApiServiceUnavailableResponse({ type: ApiErrorModel, description: 'Redis, where quotes are kept, is unavailable; see Retry-After.' })
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('api/quotes')
@UseGuards(AddressBudgetGuard, ApiAuthGuard)
@UsePipes(RestValidationPipe)
@UseFilters(RedisUnavailableFilter)
export class QuotesController {
  constructor(
    private readonly universe: SymbolUniverse,
    private readonly quotes: QuoteReader,
    private readonly history: HistoryReader,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The latest quote of each symbol', description: 'Symbols without a stored quote yet are left out.' })
  @ApiOkResponse({ type: QuotesResponse })
  async latest(@Query() query: QuotesQuery): Promise<QuotesResponse> {
    this.universe.assertKnown(query.symbols);
    return { quotes: await this.quotes.latest(query.symbols) };
  }

  @Get(':symbol/history')
  @ApiOperation({
    summary: "A symbol's recent quotes, in seq order",
    description: 'With since: the first `limit` quotes after it (page on with the last seq). Without: the last `limit` quotes.',
  })
  @ApiParam({ name: 'symbol', example: 'AAPL', description: 'Case-insensitive.' })
  @ApiOkResponse({ type: HistoryResponse })
  async historyOf(@Param('symbol', KnownSymbolPipe) symbol: string, @Query() query: HistoryQuery): Promise<HistoryResponse> {
    return { symbol, ...(await this.history.page(symbol, query)) };
  }
}
