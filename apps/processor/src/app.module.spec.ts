import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Test, type TestingModule } from '@nestjs/testing';
import { KafkaAdmin, KafkaHealthIndicator } from '#app/kafka';
import { REDIS_CLIENT, RedisHealthIndicator } from '#app/redis';
import { duplicateProviders, importCycles } from '../../../test/support/module-graph.js';
import { AppModule } from './app.module.js';
import { ConsumerHealthIndicator } from './consumer/consumer-health.indicator.js';
import { ConsumerStatus } from './consumer/consumer-status.js';
import { PartitionRetries } from './consumer/partition-retries.js';
import { DEAD_LETTER_CLIENT } from './processor.constants.js';
import { QuoteStore } from './quotes/quote-store.js';
import { TickHandler } from './ticks/tick-handler.js';
import { TickTrace } from './trace/tick-trace.js';

/** The processor's real module graph, compiled with nothing that reaches Kafka or Redis. */
describe('the processor module graph', () => {
  let moduleRef: TestingModule;
  const redis = { quit: async () => 'OK', disconnect: () => undefined };

  before(async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forTopic('ticks')] })
      .overrideProvider(REDIS_CLIENT)
      .useValue(redis)
      .overrideProvider(KafkaAdmin)
      .useValue({ consumerLag: async () => 0, ensureTopics: async () => undefined })
      .overrideProvider(DEAD_LETTER_CLIENT)
      .useValue({ connect: async () => undefined, close: async () => undefined })
      .compile();
  });

  after(async () => {
    await moduleRef?.close();
  });

  it('compiles with Kafka and Redis overridden, the tick path wired to one store, one trace and the one Redis client', () => {
    const handler = moduleRef.get(TickHandler);
    const store = moduleRef.get(QuoteStore);
    const trace = moduleRef.get(TickTrace);
    assert.equal(Reflect.get(handler, 'quotes'), store);
    assert.equal(Reflect.get(handler, 'trace'), trace);
    assert.equal(Reflect.get(store, 'trace'), trace);
    assert.equal(Reflect.get(store, 'redis'), redis);
    for (const indicator of [KafkaHealthIndicator, RedisHealthIndicator, ConsumerHealthIndicator]) assert.ok(moduleRef.get(indicator, { strict: false }));
  });

  it('gives readiness the same consumer state that the Kafka server feeds (main.ts takes it from the app)', () => {
    const indicator = moduleRef.get(ConsumerHealthIndicator, { strict: false });
    assert.equal(Reflect.get(indicator, 'status'), moduleRef.get(ConsumerStatus, { strict: false }));
    assert.equal(Reflect.get(indicator, 'retries'), moduleRef.get(PartitionRetries, { strict: false }));
  });

  it('provides each of its own services in one module only, and has no import cycle between modules', () => {
    assert.deepEqual(duplicateProviders(moduleRef), []);
    assert.deepEqual(importCycles(moduleRef), []);
  });
});
