import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientKafka } from '@nestjs/microservices';
import { defer } from 'rxjs';
import type { KafkaConfig } from '#app/config';
import type { Tick } from '#app/contracts';
import type { KafkaAdmin } from '#app/kafka';
import { TickPublisher } from './tick-publisher.js';

const tick = { symbol: 'AAPL', seq: 1 } as Tick;

/** A producer client whose sends fail while `broken`, recording close and connect. */
function fakeClient() {
  const calls: string[] = [];
  const client = {
    broken: true,
    emitBatch: () =>
      defer(async () => {
        calls.push('send');
        if (client.broken) throw new Error('The broker received an out of order sequence number');
      }),
    close: async () => void calls.push('close'),
    connect: async () => {
      calls.push('connect');
      client.broken = false;
    },
  };
  return { client, calls };
}

describe('TickPublisher', () => {
  it('replaces the producer after a failed batch, and the next batch waits for the new one', async () => {
    const { client, calls } = fakeClient();
    const publisher = new TickPublisher(client as unknown as ClientKafka, { ticksTopic: 't' } as KafkaConfig, {} as KafkaAdmin);
    await assert.rejects(publisher.publish([tick]), /out of order sequence/);
    await publisher.publish([tick]);
    assert.deepEqual(calls, ['send', 'close', 'connect', 'send']);
    assert.deepEqual([publisher.failed, publisher.published, publisher.producerResets], [1, 1, 1]);
  });
});
