import assert from 'node:assert/strict';
import { BadRequestException, type Type } from '@nestjs/common';
import { RestValidationPipe } from '../rest-validation.pipe.js';

/** For specs: runs a raw query (strings, as Express parses them) through the REST validation pipe, as a request's would be. */
export function queryProbe<T>(dto: Type<T>) {
  const pipe = new RestValidationPipe();
  const parse = (query: Record<string, unknown>) => pipe.transform(query, { type: 'query', metatype: dto }) as Promise<T>;
  return {
    accept: parse,
    /** The 400 body the query earns; fails the test if it is accepted. */
    async reject(query: Record<string, unknown>): Promise<{ statusCode: number; error: string; message: string }> {
      try {
        await parse(query);
      } catch (err) {
        assert.ok(err instanceof BadRequestException, `expected a 400, got ${err}`);
        return err.getResponse() as { statusCode: number; error: string; message: string };
      }
      return assert.fail(`accepted ${JSON.stringify(query)}`);
    },
  };
}
