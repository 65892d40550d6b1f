import type { LoggerService } from '@nestjs/common';

/**
 * Sends Node's process warnings to the app's logger instead of Node's own printer, which writes them
 * to stderr as plain text, lines a log shipper expecting LOG_FORMAT=json's one object per line cannot
 * parse.
 *
 * kafkajs's negative timeout on Node 24 is logged at debug: kafkajs computes `throttledUntil - Date.now()`
 * with `throttledUntil` still -1 when a connection starts (kafkajs#1751, open upstream); Node then
 * waits 1 ms, which is what kafkajs meant. Every other warning is a warn line.
 */
export function logProcessWarnings(logger: LoggerService): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error) => {
    const line = `${warning.name}: ${warning.message}`;
    if (isKafkajsNegativeTimeout(warning)) logger.debug?.(`${line} (kafkajs#1751, harmless)`, 'ProcessWarning');
    else logger.warn(line, 'ProcessWarning');
  });
}

function isKafkajsNegativeTimeout(warning: Error): boolean {
  return warning.name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(warning.stack ?? '');
}
