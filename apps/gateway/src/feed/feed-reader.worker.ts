// The feed reader thread (see WorkerFeedSubscriber): owns the gateway's pub/sub connection to Redis,
// reads it whatever the gateway's own thread is doing, and hands what it reads over in batches through
// a FeedOutbox, which conflates while the gateway's thread is busy.
import { parentPort, workerData } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { RedisConfig } from '#app/config';
import { connectFeedSubscriber } from './connect-feed-subscriber.js';
import { FeedOutbox, type OutboxOptions } from './feed-outbox.js';
import { EVERY_CHANNEL } from './feed-subscriber.js';
import type { ReaderCommand, ReaderMessage } from './feed-reader.protocol.js';

const port = parentPort!;
const { config, outbox: outboxOptions } = workerData as { config: RedisConfig; outbox: OutboxOptions };
const post = (message: ReaderMessage) => port.postMessage(message);

/** Log lines go to the gateway's thread, whose logger formats them like every other (JSON or text). */
const forward =
  (level: 'error' | 'warn' | 'log' | 'debug' | 'verbose') =>
  (message: unknown, ...params: unknown[]) => {
    // Nest's Logger passes its context last (after the stack, for errors).
    const context = params.at(-1);
    post({ log: level, message: String(message), context: typeof context === 'string' ? context : undefined });
  };
Logger.overrideLogger({ error: forward('error'), warn: forward('warn'), log: forward('log'), debug: forward('debug'), verbose: forward('verbose') });

const { client, subscriber } = connectFeedSubscriber(config);
const outbox = new FeedOutbox(outboxOptions);
/** Channels the gateway asked for and did not give up (with its last command's id): those a lost shard may have held. */
const asked = new Map<string, number>();
let flushQueued = false;

/** One batch per read of the socket: ioredis emits a read's messages in one go, and the microtask runs after the last. */
function flushSoon(): void {
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(() => {
    flushQueued = false;
    const batch = outbox.take();
    if (batch) post({ batch });
  });
}

subscriber.listen({
  message: (channel, payload) => {
    outbox.message(channel, payload);
    flushSoon();
  },
  lost: (affected) => {
    outbox.control({ lost: affected === EVERY_CHANNEL ? null : [...asked.keys()].filter(affected) });
    flushSoon();
  },
  resubscribe: () => {
    outbox.control({ resubscribe: true });
    flushSoon();
  },
});

const STATUS_EVENTS = ['connect', 'ready', 'close', 'reconnecting', 'end', 'wait'];
for (const event of STATUS_EVENTS) client.on(event, () => post({ status: subscriber.status }));
post({ status: subscriber.status });

port.on('message', (command: ReaderCommand) => {
  if (command.op === 'taken') {
    outbox.taken();
    flushSoon();
    return;
  }
  if (command.op === 'close') {
    void subscriber.close().finally(() => {
      post({ closed: true });
      port.close();
    });
    return;
  }
  const { op, id, channel } = command;
  asked.set(channel, id);
  const done = op === 'subscribe' ? subscriber.subscribe(channel) : subscriber.unsubscribe(channel);
  done.then(
    () => {
      if (op === 'unsubscribe' && asked.get(channel) === id) asked.delete(channel);
      outbox.control({ reply: id });
      flushSoon();
    },
    (err: Error) => {
      outbox.control({ reply: id, error: err?.message ?? String(err) });
      flushSoon();
    },
  );
});
