import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThrottleClock, TICK_MS, type ClockEntry } from './throttle-clock.js';

function entry(log: string[], name: string): ClockEntry {
  return { tick: 0, run: () => log.push(name) };
}

describe('ThrottleClock', () => {
  it('runs entries due in the same tick together, in the order they were scheduled', async () => {
    const clock = new ThrottleClock();
    const log: string[] = [];
    const now = Date.now();
    const dueAt = (Math.ceil(now / TICK_MS) + 2) * TICK_MS;
    clock.schedule(entry(log, 'a'), dueAt - 1, now);
    clock.schedule(entry(log, 'b'), dueAt, now);
    await sleep(dueAt - now + 3 * TICK_MS);
    assert.deepEqual(log.slice(-2), ['a', 'b']);
  });

  it('never runs an entry called off, even when its tick comes', async () => {
    const clock = new ThrottleClock();
    const log: string[] = [];
    const e = entry(log, 'a');
    clock.schedule(e, Date.now() + TICK_MS);
    clock.cancel(e);
    await sleep(4 * TICK_MS);
    assert.deepEqual(log, []);
    assert.equal(e.tick, 0);
  });

  it('runs an entry once when it is called off and scheduled again, into the same tick or a later one', async () => {
    const clock = new ThrottleClock();
    const log: string[] = [];
    const same = entry(log, 'same');
    const later = entry(log, 'later');
    const at = Date.now() + TICK_MS;
    clock.schedule(same, at);
    clock.cancel(same);
    clock.schedule(same, at);
    clock.schedule(later, at);
    clock.cancel(later);
    clock.schedule(later, at + 3 * TICK_MS);
    await sleep(8 * TICK_MS);
    assert.deepEqual(log, ['same', 'later']);
  });
});
