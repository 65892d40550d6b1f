import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionQueue } from './session-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SessionQueue', () => {
  it('runs tasks one at a time in arrival order', async () => {
    const queue = new SessionQueue(10, (err) => assert.fail(String(err)));
    const log: string[] = [];
    const first = deferred();
    queue.push(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    queue.push(async () => void log.push('b'));
    await Promise.resolve();
    assert.deepEqual(log, ['a start']);
    first.resolve();
    await queue.idle();
    assert.deepEqual(log, ['a start', 'a end', 'b']);
  });

  it('reports a task that throws and goes on with the next one', async () => {
    const errors: unknown[] = [];
    const queue = new SessionQueue(10, (err) => errors.push(err));
    const log: string[] = [];
    queue.push(async () => {
      throw new Error('boom');
    });
    queue.push(async () => void log.push('after the failure'));
    await queue.idle();
    assert.deepEqual(log, ['after the failure']);
    assert.equal((errors[0] as Error).message, 'boom');
    queue.push(async () => void log.push('and later ones'));
    await queue.idle();
    assert.deepEqual(log, ['after the failure', 'and later ones']);
  });

  it('refuses tasks past its limit of waiting tasks, and takes them again once there is room', async () => {
    const queue = new SessionQueue(2, (err) => assert.fail(String(err)));
    const gate = deferred();
    assert.equal(queue.push(() => gate.promise), true);
    await Promise.resolve();
    assert.equal(queue.push(async () => undefined), true);
    assert.equal(queue.push(async () => undefined), true);
    assert.equal(queue.push(async () => undefined), false, 'two already waiting behind the running task');
    gate.resolve();
    await queue.idle();
    assert.equal(queue.push(async () => undefined), true);
    await queue.idle();
  });

  it('drops waiting tasks when closed mid-task, refuses new ones, and does not report the running task failing', async () => {
    const errors: unknown[] = [];
    const queue = new SessionQueue(10, (err) => errors.push(err));
    const gate = deferred();
    const ran: string[] = [];
    queue.push(async () => {
      await gate.promise;
      throw new Error('socket gone');
    });
    queue.push(async () => void ran.push('waiting'));
    await Promise.resolve();
    queue.close();
    assert.equal(queue.push(async () => void ran.push('new')), false);
    gate.resolve();
    await queue.idle();
    assert.deepEqual(ran, []);
    assert.deepEqual(errors, []);
  });

  it('tells its owner each time it runs dry, so the owner can let go of it, but not once closed', async () => {
    let idle = 0;
    const queue = new SessionQueue(10, (err) => assert.fail(String(err)), () => idle++);
    const gate = deferred();
    queue.push(() => gate.promise);
    queue.push(async () => undefined);
    await Promise.resolve();
    assert.equal(idle, 0, 'not while a task runs or waits');
    gate.resolve();
    await queue.idle();
    assert.equal(idle, 1);
    queue.push(async () => undefined);
    await queue.idle();
    assert.equal(idle, 2);
    const last = deferred();
    queue.push(() => last.promise);
    queue.close();
    last.resolve();
    await queue.idle();
    assert.equal(idle, 2, 'a closed queue is not idle, it is gone');
  });
});
