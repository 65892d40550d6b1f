/** The Nest Kafka client (producer-only) that writes rejected records to the dead-letter topic. */
export const DEAD_LETTER_CLIENT = Symbol('DEAD_LETTER_CLIENT');
