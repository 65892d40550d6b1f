import { logLevel, type KafkaConfig as KafkaJsConfig } from 'kafkajs';
import type { KafkaConfig } from '#app/config';
import { nestKafkaLogCreator } from './kafka-logger.js';

/** The kafkajs client settings every app uses, so brokers, timeouts and logging are set in one place. */
export function kafkaClientConfig(config: KafkaConfig, clientIdSuffix: string): KafkaJsConfig {
  return {
    clientId: `${config.clientId}-${clientIdSuffix}`,
    brokers: config.brokers,
    connectionTimeout: config.connectTimeoutMs,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    // INFO too: a consumer's first join tells the logger its start-up is over (see kafka-logger.ts).
    logLevel: logLevel.INFO,
    logCreator: nestKafkaLogCreator,
  };
}
