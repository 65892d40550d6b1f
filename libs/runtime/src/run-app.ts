import 'reflect-metadata';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { ConfigValidationError, validateEnv } from '#app/config';
import { enterPhase } from './app-phase.js';
import { PinoLogger } from './pino-logger.js';
import { logProcessWarnings } from './process-warnings.js';
import { TextLogger } from './text-logger.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
/** How long an app may take to drain after SIGTERM before it exits 1; orchestrators must wait longer. */
export const SHUTDOWN_DEADLINE_MS = 9000;

export class LogEnv {
  @IsIn(LEVELS)
  LOG_LEVEL: LogLevel = 'log';

  /** json (pino, one object per line) for log shippers; text for people (npm start sets it). */
  @IsIn(['text', 'json'])
  LOG_FORMAT: string = 'json';
}

/** The app-wide logger: LOG_LEVEL and everything more severe. */
export function createLogger(appName: string): LoggerService {
  const env = validateEnv(LogEnv);
  if (env.LOG_FORMAT === 'json') return new PinoLogger(appName, env.LOG_LEVEL);
  return new TextLogger(appName, {
    logLevels: LEVELS.slice(0, LEVELS.indexOf(env.LOG_LEVEL) + 1),
    colors: process.stdout.isTTY === true,
  });
}

/** A config error prints what to fix, anything else its stack; the process exits 1. */
export function exitOnStartFailure(appName: string, err: unknown): never {
  if (err instanceof ConfigValidationError) {
    process.stderr.write(`[${appName}] ${err.message}\n[${appName}] Fix the variables above (see .env.example) and start again.\n`);
  } else {
    process.stderr.write(`[${appName}] failed to start: ${(err as Error)?.stack ?? err}\n`);
  }
  process.exit(1);
}

/**
 * Starts an app and owns its process: a config error prints what to fix and exits 1; Node's process
 * warnings go to the app's logger;
 * SIGINT/SIGTERM close the app (Nest's shutdown hooks drain it) and exit 0, or 1 if the drain
 * fails or outlasts the deadline. Nest's own enableShutdownHooks would re-raise the signal, so a
 * clean stop would not exit 0.
 */
export async function runApp(appName: string, start: (logger: LoggerService) => Promise<INestApplication>) {
  let logger: LoggerService;
  let app: INestApplication;
  try {
    logger = createLogger(appName);
    logProcessWarnings(logger);
    app = await start(logger);
    enterPhase('running');
  } catch (err) {
    exitOnStartFailure(appName, err);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    enterPhase('stopping');
    logger.log(`${signal} received, draining`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => {
        logger.log('stopped');
        process.exit(0);
      },
      (err: Error) => {
        logger.error(`shutdown failed: ${err.stack ?? err}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
