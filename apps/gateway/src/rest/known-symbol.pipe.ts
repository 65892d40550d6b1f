import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { SYMBOL_PATTERN } from '#app/contracts';
import { SymbolUniverse } from './symbol-universe.js';

/** The `{symbol}` of a path, upper-cased: 400 when it cannot be a ticker, 404 when it is not traded here. */
@Injectable()
export class KnownSymbolPipe implements PipeTransform<string, string> {
  constructor(private readonly universe: SymbolUniverse) {}

  transform(value: string): string {
    const symbol = String(value).toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol)) {
      throw new BadRequestException('symbol must be a ticker: a letter, then up to nine letters, digits, dots or dashes');
    }
    this.universe.assertKnown([symbol]);
    return symbol;
  }
}
