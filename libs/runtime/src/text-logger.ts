import { ConsoleLogger } from '@nestjs/common';
import { isChatty } from './chatty-contexts.js';

/** Nest's console logger for people (LOG_FORMAT=text), without the start-up chatter at the log level. */
export class TextLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]) {
    if (isChatty(rest.at(-1))) super.debug(message, ...rest);
    else super.log(message, ...rest);
  }
}
