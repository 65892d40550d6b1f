import { RpcException } from '@nestjs/microservices';

export type TransientBatchErrorCode = 'QUOTE_WRITE_FAILED' | 'DEAD_LETTER_WRITE_FAILED';

/**
 * A batch could not be finished for a reason that may go away by itself: Redis refusing writes (down,
 * OOM, READONLY), the dead-letter topic not writable. KafkaBatchServer pauses the partition and tries
 * the batch again later, instead of handing the error to kafkajs, which would fetch it again at once
 * and, once its retries ran out, restart the whole consumer.
 *
 * An RpcException whose error is itself: Nest's exception filter rethrows an RpcException's error as
 * it is, but turns any other error into a plain "Internal server error" object.
 */
export class TransientBatchError extends RpcException {
  override readonly name = 'TransientBatchError';

  constructor(
    readonly code: TransientBatchErrorCode,
    message: string,
  ) {
    super(message);
  }

  override getError(): object {
    return this;
  }
}
