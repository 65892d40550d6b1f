import { createRequire } from 'node:module';
import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';
import { appPhase, type AppPhase } from '#app/runtime';

/** kafkajs's table of broker error codes; `retriable` is what its own retry loop goes by. */
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  errorCodes: { type: string; message: string; retriable: boolean }[];
};
const RETRIABLE_BROKER_ERRORS = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));
/** A broker that is not listening yet, or not answering yet: kafkajs retries the connection. */
const CONNECTION_RETRY = /^(Connection error|Connection timeout|Failed to connect to seed broker)/;
/** A consumer that crashed on a retriable error (or ran out of retries on one): kafkajs restarts it, and says so next. */
const CONSUMER_CRASH = /^Crash: KafkaJS\w+: (.*)$/s;
const CONSUMER_RESTART = /^Restarting the consumer in \d+ms$/;
const JOINED = 'Consumer has joined the group';
/**
 * kafkajs warns about any idempotent producer with a retry limit. The generator limits retries so that a
 * batch that fails for good is counted and reported, and it never resends such a batch: it replaces the
 * producer (a new producer id), so the duplicate the warning is about cannot arise.
 */
const IDEMPOTENT_RETRY_LIMIT = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * kafkajs logs a CreateTopics answer with per-topic errors ("Topic creation errors") at ERROR, before
 * `createTopics` itself reads TOPIC_ALREADY_EXISTS as "another app created it" (the generator and the
 * processor start together). A creation that really fails throws from `createTopics`, and the app's
 * start fails with that error.
 */
const CREATE_TOPICS_ANSWER = /^Response CreateTopics\b/;
const TOPIC_CREATION_ERRORS = 'Topic creation errors';

export type KafkaLogRoute = 'error' | 'warn' | 'retrying' | 'debug';

/**
 * Where a kafkajs log entry goes. While the app starts, a broker that is still booting refuses
 * connections, and answers "coordinator loading", "not coordinator", "not controller" or "no leader"
 * for a while: kafkajs retries those (a consumer by restarting itself), and if they outlast its retries
 * the start fails with the error, or the processor's readiness says its consumer is not running. So they
 * are expected then (`retrying`: a line at info), not alarms; once the app runs, the same refusals are a
 * fault and stay errors. Anything kafkajs does not retry is an error in every phase.
 */
export function routeKafkaLog(level: number, message: string, error: unknown, phase: AppPhase): KafkaLogRoute {
  if (message === IDEMPOTENT_RETRY_LIMIT) return 'debug';
  if (CREATE_TOPICS_ANSWER.test(message) && error === TOPIC_CREATION_ERRORS) return 'debug';
  if (level > logLevel.WARN) return 'debug';
  const retriable = (text: unknown) => typeof text === 'string' && (CONNECTION_RETRY.test(text) || RETRIABLE_BROKER_ERRORS.has(text));
  const expected = retriable(message) || retriable(error) || retriable(CONSUMER_CRASH.exec(message)?.[1]) || CONSUMER_RESTART.test(message);
  if (phase === 'starting' && expected) return 'retrying';
  return level === logLevel.ERROR ? 'error' : 'warn';
}

/**
 * Routes kafkajs logs through Nest's logger; its INFO chatter is kept at debug. kafkajs calls this once
 * per client: a client's first start-up retry is a line at info ("waiting for Kafka"), its repeats are
 * at debug. A consumer is still starting until it first joins its group, which can be after the app
 * itself has started (kafkajs restarts a consumer whose first join failed, seconds later).
 */
export const nestKafkaLogCreator: logCreator = () => {
  const logger = new Logger('Kafka');
  let saidWaiting = false;
  let joined = false;
  return ({ level, log }) => {
    const { message, ...extra } = log;
    if (message === JOINED) joined = true;
    const line = Object.keys(extra).length > 2 ? `${message} ${JSON.stringify(extra)}` : message;
    const phase = appPhase() === 'running' && extra.groupId !== undefined && !joined ? 'starting' : appPhase();
    const route = routeKafkaLog(level, message, extra.error, phase);
    if (route === 'error') logger.error(line);
    else if (route === 'warn') logger.warn(line);
    else if (route === 'retrying' && !saidWaiting) {
      saidWaiting = true;
      logger.log(`waiting for Kafka: ${typeof extra.error === 'string' ? `${message}: ${extra.error}` : message}; retrying`);
    } else logger.debug(line);
  };
};
