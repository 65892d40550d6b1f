import { BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';

/**
 * Query validation for the REST API: strings turned into the DTO's types, unknown parameters refused
 * (a misspelt `limt=5` must not silently mean the default), and one 400 whose message names every
 * parameter that is wrong, a single string as the error shape promises rather than Nest's array.
 */
@Injectable()
export class RestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) =>
        new BadRequestException(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') || 'Invalid query'),
    });
  }
}
