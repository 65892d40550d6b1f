import { Controller, Get, Param, Query, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiSecurity, ApiServiceUnavailableResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { BarReader } from '../feed/bar-reader.js';
import { AddressBudgetGuard } from './address-budget.guard.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { ApiErrorModel } from './dto/api-error.model.js';
import { BarsQuery } from './dto/bars.query.js';
import { BarsResponse } from './dto/bars.response.js';
import { KnownSymbolPipe } from './known-symbol.pipe.js';
import { RedisUnavailableFilter } from './redis-unavailable.filter.js';
import { RestValidationPipe } from './rest-validation.pipe.js';

/** OHLC bars of a symbol, read from the sorted sets the processor keeps per interval. */
@ApiTags('bars')
@ApiBadRequestResponse({ type: ApiErrorModel, description: 'A malformed parameter; the message names it.' })
@ApiNotFoundResponse({ type: ApiErrorModel, description: 'A symbol this deployment does not trade.' })
@ApiUnauthorizedResponse({ type: ApiErrorModel, description: 'Authentication is on (WS_AUTH_MODE) and the request has no valid credential.' })
@ApiTooManyRequestsResponse({ type: ApiErrorModel, description: 'Over the per-address budget; see Retry-After.' })
@ApiServiceUnavailableResponse({ type: ApiErrorModel, description: 'Redis, where quotes are kept, is unavailable; see Retry-After.' })
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('api/bars')
@UseGuards(AddressBudgetGuard, ApiAuthGuard)
@UsePipes(RestValidationPipe)
@UseFilters(RedisUnavailableFilter)
export class BarsController {
  constructor(private readonly bars: BarReader) {}

  @Get(':symbol')
  @ApiOperation({
    summary: "A symbol's OHLC bars, by start ascending",
    description: 'With from: the first `limit` bars starting in [from, to]. Without: the last `limit` bars starting at or before to (or the latest). The last bar may still be open.',
  })
  @ApiParam({ name: 'symbol', example: 'AAPL', description: 'Case-insensitive.' })
  @ApiOkResponse({ type: BarsResponse })
  async barsOf(@Param('symbol', KnownSymbolPipe) symbol: string, @Query() query: BarsQuery): Promise<BarsResponse> {
    return { symbol, interval: query.interval, bars: await this.bars.range(symbol, query.interval, query) };
  }
}
