import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Logger, type LoggerService } from '@nestjs/common';
import type { ClientKafka } from '@nestjs/microservices';
import { Subject } from 'rxjs';
import type { GeneratorConfig, KafkaConfig, MarketConfig } from '#app/config';
import type { KafkaAdmin } from '#app/kafka';
import { TickPublisher } from './tick-publisher.js';
import { DRAIN_DEADLINE_MS, TickSchedule } from './tick-schedule.js';

const INTERVAL_MS = 20;
const SYMBOLS = 2;

/**
 * A schedule and the real publisher over a Kafka client whose every send is a Subject the test
 * acknowledges (complete) or fails (error) when it likes, or never. Timers are node:test's mock timers.
 */
function harness() {
  const sends: Array<{ ticks: number; outcome: Subject<void> }> = [];
  const client = {
    emitBatch: (_topic: string, { messages }: { messages: unknown[] }) => {
      const outcome = new Subject<void>();
      sends.push({ ticks: messages.length, outcome });
      return outcome;
    },
  };
  const publisher = new TickPublisher(client as unknown as ClientKafka, { ticksTopic: 'ticks' } as KafkaConfig, {} as KafkaAdmin);
  const market = { symbols: Array.from({ length: SYMBOLS }, (_, i) => ({ symbol: `S${i}`, basePrice: 100, volatility: 0.3 })) };
  const schedule = new TickSchedule({ tickIntervalMs: INTERVAL_MS, burst: 1, port: 0 } as GeneratorConfig, market as MarketConfig, publisher);
  return { schedule, publisher, sends };
}

/** Lets the promise callbacks queued by an acknowledgement or a timer run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TickSchedule', () => {
  const logged: string[] = [];
  const capture = (message: unknown) => void logged.push(String(message));
  const logger: LoggerService = { log: capture, error: capture, warn: capture, debug: capture, verbose: capture, fatal: capture };

  beforeEach(() => {
    logged.length = 0;
    Logger.overrideLogger(logger);
    mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  });
  afterEach(() => {
    mock.timers.reset();
    Logger.overrideLogger(false);
  });

  it('keeps one send in flight; the rounds made meanwhile go together in the next send, and those past 100 ms are skipped', async () => {
    const { schedule, sends } = harness();
    schedule.onApplicationBootstrap();
    mock.timers.tick(INTERVAL_MS);
    assert.equal(sends.length, 1);
    mock.timers.tick(INTERVAL_MS * 7);
    assert.equal(sends.length, 1, 'nothing else is sent while a send is in flight');
    assert.equal(schedule.skippedRounds, 2, '100 ms of rounds (5) wait, the 2 after them are skipped');
    sends[0].outcome.complete();
    await settle();
    assert.deepEqual(sends.map((s) => s.ticks), [SYMBOLS, 5 * SYMBOLS]);
    sends[1].outcome.complete();
    await settle();
    const shutdown = schedule.beforeApplicationShutdown();
    await shutdown;
  });

  it('on shutdown, sends nothing new and waits for the send in flight and the rounds queued behind it', async () => {
    const { schedule, publisher, sends } = harness();
    schedule.onApplicationBootstrap();
    mock.timers.tick(INTERVAL_MS * 3);
    const shutdown = schedule.beforeApplicationShutdown();
    mock.timers.tick(INTERVAL_MS * 10);
    sends[0].outcome.complete();
    await settle();
    assert.equal(sends.length, 2, 'the queued rounds went out after the send in flight');
    sends[1].outcome.complete();
    await shutdown;
    assert.deepEqual([publisher.published, publisher.failed], [3 * SYMBOLS, 0]);
    assert.equal(sends.length, 2, 'no round was made after shutdown began');
    assert.equal(logged.at(-1), `flushed: ${3 * SYMBOLS} ticks published, 0 failed`);
  });

  it('shutdown deadline: with a send that never resolves, it returns at the deadline having counted and logged the in-flight and queued ticks as failed', async () => {
    const { schedule, publisher, sends } = harness();
    schedule.onApplicationBootstrap();
    mock.timers.tick(INTERVAL_MS * 4);
    let returned = false;
    const shutdown = schedule.beforeApplicationShutdown().then(() => (returned = true));
    mock.timers.tick(DRAIN_DEADLINE_MS - 1);
    await settle();
    assert.equal(returned, false, 'waits until the deadline');
    mock.timers.tick(1);
    await shutdown;
    assert.deepEqual([publisher.published, publisher.failed], [0, 4 * SYMBOLS]);
    assert.ok(
      logged.includes(`failed to publish ${4 * SYMBOLS} ticks: not acknowledged within the ${DRAIN_DEADLINE_MS} ms shutdown deadline (${SYMBOLS} in flight, ${3 * SYMBOLS} never sent)`),
      logged.join('\n'),
    );
    assert.equal(logged.at(-1), `flushed: 0 ticks published, ${4 * SYMBOLS} failed`);
    assert.equal(sends.length, 1);
  });

  it('shutdown deadline: a send that ends after the deadline counts nothing more and starts no other send', async () => {
    for (const end of ['acknowledged', 'failed'] as const) {
      const { schedule, publisher, sends } = harness();
      schedule.onApplicationBootstrap();
      mock.timers.tick(INTERVAL_MS * 2);
      const shutdown = schedule.beforeApplicationShutdown();
      mock.timers.tick(DRAIN_DEADLINE_MS);
      await shutdown;
      if (end === 'acknowledged') sends[0].outcome.complete();
      else sends[0].outcome.error(new Error('KafkaJSNumberOfRetriesExceeded'));
      await settle();
      assert.deepEqual([publisher.published, publisher.failed], [0, 2 * SYMBOLS], `a send ${end} late`);
      assert.equal(sends.length, 1, `a send ${end} late sends the queued rounds no more`);
    }
  });

  it('counts a send that fails before the deadline once, as a failure of its own', async () => {
    const { schedule, publisher, sends } = harness();
    schedule.onApplicationBootstrap();
    mock.timers.tick(INTERVAL_MS);
    const shutdown = schedule.beforeApplicationShutdown();
    sends[0].outcome.error(new Error('broker gone'));
    await shutdown;
    assert.deepEqual([publisher.published, publisher.failed], [0, SYMBOLS]);
    assert.ok(logged.includes(`failed to publish ${SYMBOLS} ticks: broker gone`));
  });
});
