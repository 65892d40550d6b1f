import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '#app/config';
import { GatewayStats } from './gateway-stats.js';
import { Heartbeat } from './heartbeat.js';
import type { SessionRegistry } from './session-registry.js';

function fakeSession(id: number) {
  const events: string[] = [];
  const session = {
    id,
    ip: '127.0.0.1',
    alive: true,
    isBehind: false,
    closeAsTooSlow: () => events.push('close 1013'),
    socket: { ping: () => events.push('ping'), terminate: () => events.push('terminate') },
  };
  return { session, events };
}

function heartbeat(sessions: Array<ReturnType<typeof fakeSession>['session']>) {
  const stats = new GatewayStats();
  const registry = { sessions: () => sessions.values() } as unknown as SessionRegistry;
  return { stats, beat: new Heartbeat(registry, stats, { heartbeatIntervalMs: 1000 } as GatewayConfig) };
}

describe('Heartbeat', () => {
  it('pings every client, and drops one that did not answer the previous ping', () => {
    const answers = fakeSession(1);
    const silent = fakeSession(2);
    const { beat, stats } = heartbeat([answers.session, silent.session] as never);
    beat.ping();
    assert.deepEqual([answers.events, silent.events], [['ping'], ['ping']]);
    answers.session.alive = true; // its pong arrived
    beat.ping();
    assert.deepEqual(answers.events, ['ping', 'ping']);
    assert.deepEqual(silent.events, ['ping', 'terminate']);
    assert.equal(stats.heartbeatTimeouts, 1);
  });

  it('tells a client that missed the ping with its socket still full that it is too slow (1013)', () => {
    const stalled = fakeSession(1);
    stalled.session.isBehind = true;
    const { beat } = heartbeat([stalled.session] as never);
    beat.ping();
    beat.ping();
    assert.deepEqual(stalled.events, ['ping', 'close 1013']);
  });
});
