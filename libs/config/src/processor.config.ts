import { registerAs } from '@nestjs/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env.js';

export class ProcessorEnv {
  @IsInt() @Min(1) @Max(65_535)
  PROCESSOR_PORT: number = 8083;

  @Matches(/^[A-Za-z0-9._-]{1,200}$/, { message: 'KAFKA_GROUP_ID may hold letters, digits and . _ -' })
  KAFKA_GROUP_ID: string = 'quote-processor';

  /** Partitions processed in parallel by one processor (kafkajs partitionsConsumedConcurrently). */
  @IsInt() @Min(1) @Max(1000)
  PROCESSOR_CONCURRENCY: number = 6;
}

export const processorConfig = registerAs('processor', () => {
  const env = validateEnv(ProcessorEnv);
  return { port: env.PROCESSOR_PORT, groupId: env.KAFKA_GROUP_ID, concurrency: env.PROCESSOR_CONCURRENCY };
});
export type ProcessorConfig = ReturnType<typeof processorConfig>;
