import { registerAs } from '@nestjs/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { RedisEnv } from './redis.config.js';
import { ConfigValidationError, validateEnv } from './validate-env.js';

export class ProcessorEnv {
  @IsInt() @Min(1) @Max(65_535)
  PROCESSOR_PORT: number = 8083;

  @Matches(/^[A-Za-z0-9._-]{1,200}$/, { message: 'KAFKA_GROUP_ID may hold letters, digits and . _ -' })
  KAFKA_GROUP_ID: string = 'quote-processor';

  /** Partitions processed in parallel by one processor (kafkajs partitionsConsumedConcurrently). */
  @IsInt() @Min(1) @Max(1000)
  PROCESSOR_CONCURRENCY: number = 6;

  /**
   * How long the group waits for a silent member before giving its partitions to another: the stall
   * after a processor crash. Kafka's broker bounds it (group.min.session.timeout.ms, 6 s by default).
   */
  @IsInt() @Min(6000) @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS: number = 10_000;

  /**
   * Failed attempts in a row at a partition's batch (Redis refusing writes, the dead-letter topic not
   * writable) after which readiness turns 503. Every failure pauses the partition and retries it with
   * back-off; the budget only decides when the failure counts as lasting rather than a blip.
   */
  @IsInt() @Min(1) @Max(100)
  PROCESSOR_RETRY_BUDGET: number = 5;

  /**
   * How often the processor commits the offsets of what it has stored (0: after every partition batch,
   * kafkajs' way). A crash replays at most this long of ticks, which the seq rule finds stale.
   */
  @IsInt() @Min(0) @Max(60_000)
  PROCESSOR_COMMIT_INTERVAL_MS: number = 200;

  /** Quotes kept per symbol for recovery and the history endpoint (trimmed approximately). */
  @IsInt() @Min(10) @Max(1_000_000)
  HISTORY_MAX_PER_SYMBOL: number = 1000;

  /** Quotes older than this leave the history; a symbol without ticks for this long loses it all. */
  @IsInt() @Min(1) @Max(7 * 86_400)
  HISTORY_MAX_AGE_SECONDS: number = 3600;

  /** How long 1-second bars are kept. */
  @IsInt() @Min(1) @Max(7 * 86_400)
  BARS_1S_RETENTION_SECONDS: number = 3600;

  /** How long 1-minute bars are kept: a trading day (6.5 h) by default. */
  @IsInt() @Min(60) @Max(90 * 86_400)
  BARS_1M_RETENTION_SECONDS: number = 23_400;
}

/**
 * The processor's env, with QUOTE_TTL_SECONDS at least HISTORY_MAX_AGE_SECONDS: the quote hash holds a
 * symbol's last seq, which decides what is new. A hash that expires while its history remains forgets
 * it: replayed ticks would be stored again as the latest quote (moving it backwards), and their history
 * entries refused (the stream is ahead), which dead-letters them.
 */
export function validateProcessorEnv(env: NodeJS.ProcessEnv = process.env): ProcessorEnv {
  const processor = validateEnv(ProcessorEnv, env);
  const quoteTtlSeconds = validateEnv(RedisEnv, env).QUOTE_TTL_SECONDS;
  if (quoteTtlSeconds < processor.HISTORY_MAX_AGE_SECONDS) {
    throw new ConfigValidationError(
      `Invalid environment configuration:\n  QUOTE_TTL_SECONDS=${quoteTtlSeconds}: must be at least HISTORY_MAX_AGE_SECONDS (${processor.HISTORY_MAX_AGE_SECONDS}), ` +
        `or a quote expires while its history remains and the processor forgets which ticks it already stored`,
    );
  }
  return processor;
}

export const processorConfig = registerAs('processor', () => {
  const env = validateProcessorEnv();
  return {
    port: env.PROCESSOR_PORT,
    groupId: env.KAFKA_GROUP_ID,
    concurrency: env.PROCESSOR_CONCURRENCY,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    retryBudget: env.PROCESSOR_RETRY_BUDGET,
    commitIntervalMs: env.PROCESSOR_COMMIT_INTERVAL_MS,
    history: { maxPerSymbol: env.HISTORY_MAX_PER_SYMBOL, maxAgeMs: env.HISTORY_MAX_AGE_SECONDS * 1000 },
    barRetentionMs: { '1s': env.BARS_1S_RETENTION_SECONDS * 1000, '1m': env.BARS_1M_RETENTION_SECONDS * 1000 },
  };
});
export type ProcessorConfig = ReturnType<typeof processorConfig>;
