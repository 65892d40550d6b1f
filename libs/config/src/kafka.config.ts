import { registerAs } from '@nestjs/config';
import { IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';

const BROKER_LIST = /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/;

export class KafkaEnv {
  @Matches(BROKER_LIST, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  @IsString() @IsNotEmpty()
  KAFKA_CLIENT_ID: string = 'stock-watchlist';

  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'KAFKA_TICKS_TOPIC must be a legal Kafka topic name' })
  KAFKA_TICKS_TOPIC: string = 'stock-ticks';

  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'KAFKA_DLQ_TOPIC must be a legal Kafka topic name' })
  KAFKA_DLQ_TOPIC: string = 'stock-ticks.dlq';

  @IsInt() @Min(1) @Max(1000)
  KAFKA_TOPIC_PARTITIONS: number = 6;

  @IsInt() @Min(1) @Max(5)
  KAFKA_REPLICATION_FACTOR: number = 1;

  @IsInt() @Min(100) @Max(60_000)
  KAFKA_CONNECT_TIMEOUT_MS: number = 3000;
}

export const kafkaConfig = registerAs('kafka', () => {
  const env = validateEnv(KafkaEnv);
  return {
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: env.KAFKA_CLIENT_ID,
    ticksTopic: env.KAFKA_TICKS_TOPIC,
    dlqTopic: env.KAFKA_DLQ_TOPIC,
    partitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    connectTimeoutMs: env.KAFKA_CONNECT_TIMEOUT_MS,
  };
});
export type KafkaConfig = ReturnType<typeof kafkaConfig>;
