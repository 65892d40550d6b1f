/** The Nest Kafka client (producer-only) that publishes ticks. */
export const TICKS_CLIENT = Symbol('TICKS_CLIENT');
