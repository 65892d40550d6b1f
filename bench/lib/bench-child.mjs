// A forked helper process (bare Kafka clients, WebSocket client workers, the raw ws server) talking to
// the benchmark over IPC, registered for teardown.
import { fork } from 'node:child_process';
import { track, untrack } from './teardown.mjs';

export class BenchChild {
  constructor(name, script, args = [], { execArgv = [], env = process.env } = {}) {
    this.name = name;
    this.child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, env });
    track(name, this.child.pid);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited.then(() => untrack(this.child.pid));
  }

  get pid() {
    return this.child.pid;
  }

  /** The next message that has `key`, or a rejection after `timeoutMs` or if the child exits first. */
  next(key, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: no "${key}" message within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m) => {
        if (m && typeof m === 'object' && key in m) done(null, m);
      };
      const onExit = (code, signal) => done(new Error(`${this.name} exited (${signal ?? code}) while waiting for "${key}"`));
      const done = (err, m) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (err) reject(err);
        else resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }

  /** Sends `message` and resolves with the child's answer carrying `key`. */
  ask(message, key, timeoutMs) {
    const answer = this.next(key, timeoutMs);
    this.child.send(message);
    return answer;
  }

  send(message) {
    if (this.child.connected) this.child.send(message);
  }

  /** Asks it to stop, then SIGKILLs it if it has not exited within `graceMs`. */
  async stop(message = 'stop', graceMs = 5000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send(message);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
