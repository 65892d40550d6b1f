import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type { KafkaAdmin } from '#app/kafka';
import type { RedisClient } from '#app/redis';
import type { PartitionRetries } from '../consumer/partition-retries.js';
import type { QuoteStore } from '../quotes/quote-store.js';
import type { RebuildLease } from './rebuild-lease.js';
import type { RedisState, RunIds } from './redis-state.js';
import { StateRebuild } from './state-rebuild.js';
import type { ReplayProgress, ReplayRange, TickReplayer } from './tick-replayer.js';

const HOUR = 3_600_000;
const RANGES: ReplayRange[] = [{ partition: 0, start: '0', end: '100' }];

/** A Redis whose state the fakes below read and change: `run` is the server's run, `marked` the state key. */
class FakeWorld {
  run = 'run-1';
  marked: string | null = null;
  retentionMs = 7 * 24 * HOUR;
  /** Whether the live group has committed any offset (false: a first start). */
  committed = true;
  replays: Array<{ runId: string; sinceMs: number }> = [];
  leaseHolder: string | null = null;
  /** What a replay does before it resolves: lets a test interleave events with it. */
  duringReplay: (call: number, signal: AbortSignal) => Promise<void> = async () => {};
  lostListener?: () => void;
  liveRetries = 0;
  readonly redis = new EventEmitter();
  warnings: string[] = [];
  private lastSince = 0;

  rebuild(): StateRebuild {
    const state = {
      read: async () => {
        const run = this.run;
        return { runIds: (() => run) as RunIds, whole: this.marked === run };
      },
      markWhole: async (runIds: RunIds) => {
        if (runIds(0) !== this.run) return false;
        this.marked = this.run;
        return true;
      },
    } as unknown as RedisState;
    const lease = {
      acquire: async () => (this.leaseHolder === null || this.leaseHolder === 'me' ? ((this.leaseHolder = 'me'), true) : false),
      whileHeld: (signal: AbortSignal) => signal,
      release: async () => {
        if (this.leaseHolder === 'me') this.leaseHolder = null;
      },
    } as unknown as RebuildLease;
    const admin = {
      rangeSince: async (_topic: string, sinceMs: number) => ((this.lastSince = sinceMs), RANGES),
      retentionMs: async () => this.retentionMs,
      hasCommitted: async () => this.committed,
    } as unknown as KafkaAdmin;
    const replayer = {
      replay: async (_ranges: ReplayRange[], runIds: RunIds, progress: ReplayProgress, signal: AbortSignal) => {
        const runId = runIds(0);
        this.replays.push({ runId, sinceMs: this.lastSince });
        progress.total = 100;
        await this.duringReplay(this.replays.length, signal);
        if (signal.aborted) throw new Error('REBUILD_ABORTED');
        // The store script's fence: a replay call in another run fails.
        if (runId !== this.run) throw new Error('STATE_LOST');
        progress.replayed = 100;
      },
    } as unknown as TickReplayer;
    const quotes = { onStateLost: (listener: () => void) => (this.lostListener = listener) } as unknown as QuoteStore;
    const rebuild = new StateRebuild(
      { ticksTopic: 'ticks' },
      { history: { maxPerSymbol: 1000, maxAgeMs: HOUR }, barRetentionMs: { '1s': HOUR, '1m': 6.5 * HOUR }, groupId: 'g' },
      this.redis as unknown as RedisClient,
      admin,
      state,
      lease,
      replayer,
      quotes,
      { retryAll: () => this.liveRetries++ } as unknown as PartitionRetries,
      0,
    );
    (rebuild as unknown as { logger: Logger }).logger = Object.assign(new Logger('spec'), {
      warn: (message: string) => this.warnings.push(message),
      log: () => {},
    });
    return rebuild;
  }
}

/** Resolves once `rebuild` has settled on a state other than checking/rebuilding. */
async function settled(rebuild: StateRebuild): Promise<void> {
  while ((rebuild as unknown as { running?: Promise<void> }).running) await (rebuild as unknown as { running: Promise<void> }).running;
}

describe('StateRebuild', () => {
  it('finds a state marked in this run whole and replays nothing', async () => {
    const world = new FakeWorld();
    world.marked = 'run-1';
    const rebuild = world.rebuild();
    rebuild.start();
    await settled(rebuild);
    assert.equal(rebuild.status, 'whole');
    assert.equal(world.replays.length, 0);
  });

  it('marks the state whole without a replay when the group has committed nothing (a first start: nothing stored to lose)', async () => {
    const world = new FakeWorld();
    world.committed = false;
    const rebuild = world.rebuild();
    rebuild.start();
    await settled(rebuild);
    assert.equal(rebuild.status, 'whole');
    assert.equal(world.replays.length, 0);
    assert.equal(world.marked, 'run-1');
    assert.deepEqual(world.warnings, [], 'a first start raises no alarm');
  });

  it('replays the longest Redis retention (the 1-minute bars, 6.5 h) when the state is from another run, then marks it whole', async () => {
    const world = new FakeWorld();
    world.marked = 'run-0';
    const rebuild = world.rebuild();
    const before = Date.now();
    rebuild.start();
    await settled(rebuild);
    assert.equal(rebuild.status, 'whole');
    assert.equal(world.marked, 'run-1');
    assert.equal(world.replays.length, 1);
    assert.equal(world.liveRetries, 1, 'the live partitions paused on STATE_LOST are retried at once');
    const since = world.replays[0].sinceMs;
    assert.ok(since <= before - 6.5 * HOUR + 1000 && since >= before - 6.5 * HOUR - 60_000, `replayed since ${since}`);
  });

  it('reports rebuilding with progress while the replay runs', async () => {
    const world = new FakeWorld();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    world.duringReplay = () => held;
    const rebuild = world.rebuild();
    rebuild.start();
    while (world.replays.length === 0) await new Promise((r) => setImmediate(r));
    assert.equal(rebuild.status, 'rebuilding');
    assert.equal(rebuild.progress.total, 100);
    release();
    await settled(rebuild);
    assert.equal(rebuild.status, 'whole');
  });

  it('starts over when Redis is lost again during the rebuild (the replay is fenced by the run it began in), and marks the new run whole', async () => {
    const world = new FakeWorld();
    world.duringReplay = async (call) => {
      if (call === 1) {
        world.run = 'run-2'; // restarted, empty or from its AOF
        world.redis.emit('ready');
      }
    };
    const rebuild = world.rebuild();
    rebuild.start();
    await settled(rebuild);
    assert.deepEqual(world.replays.map((r) => r.runId), ['run-1', 'run-2']);
    assert.equal(world.marked, 'run-2');
    assert.equal(rebuild.status, 'whole');
  });

  it('does not mark the state whole when Redis restarted after the last replayed write but before the mark', async () => {
    const world = new FakeWorld();
    const rebuild = world.rebuild();
    const state = (rebuild as unknown as { state: RedisState }).state;
    const markWhole = state.markWhole.bind(state);
    let marks = 0;
    state.markWhole = async (runIds) => {
      if (++marks === 1) world.run = 'run-2';
      return markWhole(runIds);
    };
    rebuild.start();
    await settled(rebuild);
    assert.deepEqual(world.replays.map((r) => r.runId), ['run-1', 'run-2']);
    assert.equal(world.marked, 'run-2');
  });

  it('runs one replay at a time when live writes find the state lost during it (a rebalance hands partitions to a member that hits STATE_LOST), and checks once more after it', async () => {
    const world = new FakeWorld();
    world.duringReplay = async () => {
      for (let i = 0; i < 5; i++) world.lostListener!();
      world.redis.emit('ready');
    };
    const rebuild = world.rebuild();
    rebuild.start();
    await settled(rebuild);
    assert.equal(world.replays.length, 1, 'the requests during the replay did not start a second one');
    assert.equal(rebuild.status, 'whole');
  });

  it('waits while another processor holds the lease and replays nothing once that one has marked the state whole', async () => {
    const world = new FakeWorld();
    world.leaseHolder = 'other';
    const rebuild = world.rebuild();
    rebuild.start();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(rebuild.status, 'rebuilding');
    world.marked = world.run;
    world.leaseHolder = null;
    await settled(rebuild);
    assert.equal(world.replays.length, 0);
    assert.equal(rebuild.status, 'whole');
  });

  it('warns once, naming both, when the topic keeps ticks for less time than Redis keeps history and bars, and rebuilds what is there', async () => {
    const world = new FakeWorld();
    world.retentionMs = HOUR;
    const rebuild = world.rebuild();
    rebuild.start();
    await settled(rebuild);
    world.run = 'run-2';
    rebuild.request();
    await settled(rebuild);
    const warned = world.warnings.filter((w) => w.startsWith('KAFKA_RETENTION_TOO_SHORT'));
    assert.equal(warned.length, 1);
    assert.match(warned[0], /3600 s.*23400 s/);
    assert.equal(world.replays.length, 2);
    assert.equal(rebuild.status, 'whole');
  });

  it('stops a replay in progress at shutdown without marking anything', async () => {
    const world = new FakeWorld();
    world.duringReplay = (_call, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    const rebuild = world.rebuild();
    rebuild.start();
    while (world.replays.length === 0) await new Promise((r) => setImmediate(r));
    await rebuild.onApplicationShutdown();
    assert.equal(rebuild.status, 'stopped');
    assert.equal(world.marked, null);
    assert.equal(world.leaseHolder, null, 'the lease is released');
    rebuild.request();
    assert.equal(world.replays.length, 1, 'nothing starts after shutdown');
  });
});
