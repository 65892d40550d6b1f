import { Logger } from '@nestjs/common';
import { logLevel, type KafkaConfig as KafkaJsConfig, type logCreator } from 'kafkajs';
import type { KafkaConfig } from '#app/config';

/** Routes kafkajs logs through Nest's logger; kafkajs INFO chatter is kept at debug. */
const nestLogCreator: logCreator = () => {
  const logger = new Logger('Kafka');
  return ({ level, log }) => {
    const { message, ...extra } = log;
    const line = Object.keys(extra).length > 2 ? `${message} ${JSON.stringify(extra)}` : message;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
};

/** The kafkajs client settings every app uses, so brokers, timeouts and logging are set in one place. */
export function kafkaClientConfig(config: KafkaConfig, clientIdSuffix: string): KafkaJsConfig {
  return {
    clientId: `${config.clientId}-${clientIdSuffix}`,
    brokers: config.brokers,
    connectionTimeout: config.connectTimeoutMs,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: nestLogCreator,
  };
}
