import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Test, type TestingModule } from '@nestjs/testing';
import { KafkaAdmin, KafkaHealthIndicator } from '#app/kafka';
import { duplicateProviders, importCycles } from '../../../test/support/module-graph.js';
import { AppModule } from './app.module.js';
import { TICKS_CLIENT } from './generator.constants.js';
import { PublishingHealthIndicator } from './publishing/publishing-health.indicator.js';
import { TickPublisher } from './publishing/tick-publisher.js';
import { TickSchedule } from './publishing/tick-schedule.js';

/** The generator's real module graph, compiled with nothing that reaches Kafka. */
describe('the generator module graph', () => {
  let moduleRef: TestingModule;
  const admin = { ensureTopics: async () => undefined };
  const client = { connect: async () => undefined, close: async () => undefined };

  before(async () => {
    moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(KafkaAdmin)
      .useValue(admin)
      .overrideProvider(TICKS_CLIENT)
      .useValue(client)
      .compile();
  });

  after(async () => {
    await moduleRef?.close();
  });

  it('compiles with Kafka overridden, the publisher on the overridden client and readiness on the same publisher', () => {
    const publisher = moduleRef.get(TickPublisher, { strict: false });
    assert.equal(Reflect.get(publisher, 'client'), client);
    assert.equal(Reflect.get(publisher, 'admin'), admin);
    assert.equal(Reflect.get(moduleRef.get(PublishingHealthIndicator, { strict: false }), 'publisher'), publisher);
    assert.ok(moduleRef.get(TickSchedule, { strict: false }));
    assert.ok(moduleRef.get(KafkaHealthIndicator, { strict: false }));
  });

  it('provides each of its own services in one module only, and has no import cycle between modules', () => {
    assert.deepEqual(duplicateProviders(moduleRef), []);
    assert.deepEqual(importCycles(moduleRef), []);
  });
});
