import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { Cluster } from 'ioredis';
import { slotOf } from '#app/redis';
import { ShardedFeedSubscriber } from './sharded-feed-subscriber.js';

const AAPL = 'p:quotes:{AAPL}';
const MSFT = 'p:quotes:{MSFT}';

/** A cluster client as ioredis shows it: events, a slot table of [master, replica...] node keys, and the sharded commands. */
function fakeCluster() {
  const cluster = Object.assign(new EventEmitter(), {
    status: 'ready',
    slots: [] as string[][],
    commands: [] as string[],
    ssubscribe: async (channel: string) => void cluster.commands.push(`SSUBSCRIBE ${channel}`),
    sunsubscribe: async (channel: string) => void cluster.commands.push(`SUNSUBSCRIBE ${channel}`),
  });
  cluster.slots[slotOf(AAPL)] = ['127.0.0.1:7001', '127.0.0.1:7004'];
  cluster.slots[slotOf(MSFT)] = ['127.0.0.1:7002', '127.0.0.1:7005'];
  return cluster;
}

function listening() {
  const cluster = fakeCluster();
  const subscriber = new ShardedFeedSubscriber(cluster as unknown as Cluster);
  const events: string[] = [];
  const messages: string[] = [];
  subscriber.listen({
    message: (channel, payload) => messages.push(`${channel} ${payload}`),
    lost: (affected) => events.push(`lost ${[AAPL, MSFT].filter(affected).join(',')}`),
    resubscribe: () => events.push('resubscribe'),
  });
  return { cluster, subscriber, events, messages };
}

describe('ShardedFeedSubscriber', () => {
  it('subscribes with SSUBSCRIBE and SUNSUBSCRIBE and hears sharded messages', async () => {
    const { cluster, subscriber, messages } = listening();
    await subscriber.subscribe(AAPL);
    await subscriber.unsubscribe(AAPL);
    cluster.emit('smessage', AAPL, '{"seq":1}');
    assert.deepEqual(cluster.commands, [`SSUBSCRIBE ${AAPL}`, `SUNSUBSCRIBE ${AAPL}`]);
    assert.deepEqual(messages, [`${AAPL} {"seq":1}`]);
  });

  it("when a master's subscriber connection ends, loses the channels of that master's slots only, and re-subscribes at once", () => {
    const { cluster, events } = listening();
    cluster.emit('-node', {}, '127.0.0.1:7001');
    assert.deepEqual(events, [`lost ${AAPL}`, 'resubscribe']);
  });

  it('ignores a command connection ending: it carries no node key and holds no subscription', () => {
    const { cluster, events } = listening();
    cluster.emit('-node', {});
    assert.deepEqual(events, []);
  });

  it('after ioredis rebuilt its subscribers for a new topology, counts every channel lost and re-subscribes it', () => {
    const { cluster, events } = listening();
    cluster.emit('subscribersReady');
    assert.deepEqual(events, [`lost ${AAPL},${MSFT}`, 'resubscribe']);
  });

  it('loses everything when the whole cluster connection closes, and re-subscribes when it is ready again', () => {
    const { cluster, events } = listening();
    cluster.emit('close');
    cluster.emit('ready');
    assert.deepEqual(events, [`lost ${AAPL},${MSFT}`, 'resubscribe']);
  });
});
