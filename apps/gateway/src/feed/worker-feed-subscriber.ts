import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { RedisConfig } from '#app/config';
import type { OutboxOptions } from './feed-outbox.js';
import type { ReaderCommand, ReaderMessage } from './feed-reader.protocol.js';
import { EVERY_CHANNEL, type FeedListener, type FeedSubscriber } from './feed-subscriber.js';

/** What this class needs of a worker thread (a fake in its spec). */
export interface ReaderThread {
  postMessage(command: ReaderCommand): void;
  on(event: 'message', listener: (message: ReaderMessage) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export interface WorkerFeedOptions {
  outbox: OutboxOptions;
  /** Wait before a new reader thread replaces one that died. */
  restartDelayMs: number;
  /** How long close() waits for the thread to QUIT before it is terminated. */
  closeTimeoutMs: number;
  spawn?: (data: { config: RedisConfig; outbox: OutboxOptions }) => ReaderThread;
}

const spawnWorker = (data: { config: RedisConfig; outbox: OutboxOptions }): ReaderThread =>
  new Worker(new URL('./feed-reader.worker.js', import.meta.url), { workerData: data, name: 'feed-reader' });

/**
 * The gateway's pub/sub connection read on a thread of its own (feed-reader.worker.ts), so Redis's
 * socket is read at once however long the gateway's thread spends writing to clients: read on that
 * thread, a burst of fan-out left the socket unread, Redis held the quotes in its output buffer and cut
 * the connection at the 32 MB limit, losing them (issue 11, goal 3). The thread hands over what it reads
 * one batch at a time, in order with the SUBSCRIBE replies and lost connections, and conflates per
 * channel while this thread has not taken the last batch (FeedOutbox).
 *
 * States: the thread is `running`, `restarting` after it died (every subscription counts as lost and
 * every command in flight fails, so each channel's state machine retries; the new thread's `ready`
 * re-subscribes them) or `closed`.
 */
export class WorkerFeedSubscriber implements FeedSubscriber {
  private readonly logger = new Logger('FeedReader');
  private thread!: ReaderThread;
  private state: 'running' | 'restarting' | 'closed' = 'running';
  private listener?: FeedListener;
  private nextId = 1;
  private readonly requests = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private closed?: Promise<void>;
  private whenClosed?: () => void;
  status = 'wait';
  /** Messages the reader thread replaced by a newer one of the same channel while this thread was busy. */
  conflated = 0;

  constructor(
    private readonly config: RedisConfig,
    private readonly options: WorkerFeedOptions,
  ) {
    this.start();
  }

  listen(listener: FeedListener): void {
    this.listener = listener;
  }

  subscribe(channel: string): Promise<unknown> {
    return this.ask('subscribe', channel);
  }

  unsubscribe(channel: string): Promise<unknown> {
    return this.ask('unsubscribe', channel);
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    const wasRunning = this.state === 'running';
    this.state = 'closed';
    this.failRequests('the feed is closing');
    if (!wasRunning) return (this.closed = Promise.resolve());
    this.closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.closeTimeoutMs);
      this.whenClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.thread.postMessage({ op: 'close' });
    }).then(() => this.thread.terminate().then(() => undefined));
    return this.closed;
  }

  private start(): void {
    const thread = (this.options.spawn ?? spawnWorker)({ config: this.config, outbox: this.options.outbox });
    this.thread = thread;
    thread.on('message', (message) => thread === this.thread && this.receive(message));
    thread.on('error', (err) => this.logger.error(`feed reader thread failed: ${err.stack ?? err.message}`));
    thread.on('exit', (code) => thread === this.thread && this.died(code));
  }

  private ask(op: 'subscribe' | 'unsubscribe', channel: string): Promise<void> {
    if (this.state !== 'running') return Promise.reject(new Error(`feed reader thread ${this.state}`));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.thread.postMessage({ op, id, channel });
    });
  }

  private receive(message: ReaderMessage): void {
    if ('batch' in message) {
      const { events, conflated } = message.batch;
      this.conflated += conflated;
      try {
        for (let i = 0; i < events.length; i++) {
          const event = events[i];
          if (typeof event === 'string') this.listener?.message(event, events[++i] as string);
          else if ('reply' in event) this.settle(event.reply, event.error);
          else if ('lost' in event) {
            const lost = event.lost && new Set(event.lost);
            this.listener?.lost(lost ? (channel) => lost.has(channel) : EVERY_CHANNEL);
          } else this.listener?.resubscribe();
        }
      } finally {
        if (this.state === 'running') this.thread.postMessage({ op: 'taken' });
      }
    } else if ('status' in message) {
      this.status = message.status;
    } else if ('log' in message) {
      Logger[message.log](message.message, message.context ?? 'FeedReader');
    } else {
      this.whenClosed?.();
    }
  }

  private settle(id: number, error?: string): void {
    const request = this.requests.get(id);
    this.requests.delete(id);
    if (error === undefined) request?.resolve();
    else request?.reject(new Error(error));
  }

  /** The thread ended without being asked to: its subscriptions and commands are gone with it. */
  private died(code: number): void {
    if (this.state === 'closed') {
      this.whenClosed?.();
      return;
    }
    this.logger.error(`feed reader thread exited (code ${code}); starting another in ${this.options.restartDelayMs} ms`);
    this.state = 'restarting';
    this.status = 'end';
    this.failRequests('the feed reader thread exited');
    this.listener?.lost(EVERY_CHANNEL);
    setTimeout(() => {
      if (this.state !== 'restarting') return;
      this.state = 'running';
      this.start();
    }, this.options.restartDelayMs).unref();
  }

  private failRequests(reason: string): void {
    const requests = [...this.requests.values()];
    this.requests.clear();
    for (const request of requests) request.reject(new Error(reason));
  }
}
