import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { AppProcess } from '../support/app-process.js';
import { testKafka } from '../support/kafka.js';
import { isolatedEnv, System } from '../support/system.js';
import { TestClient } from '../support/ws-client.js';

describe('start-up configuration and graceful shutdown of the real apps', () => {
  it('refuses to start on an invalid variable, naming it', async () => {
    const cases: Array<[AppProcess['name'], Record<string, string>, string]> = [
      ['gateway', { GATEWAY_PORT: 'eighty' }, 'GATEWAY_PORT'],
      ['processor', { KAFKA_BROKERS: 'not a broker list' }, 'KAFKA_BROKERS'],
      ['generator', { SYMBOLS: 'AAPL,bad symbol' }, 'SYMBOLS'],
      ['generator', { TICK_INTERVAL_MS: '0' }, 'TICK_INTERVAL_MS'],
      ['gateway', { REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    ];
    for (const [name, env, variable] of cases) {
      const { exit, output } = await AppProcess.run(name, isolatedEnv(env));
      assert.equal(exit.code, 1, `${name} with ${JSON.stringify(env)} exits 1`);
      assert.match(output, new RegExp(`${variable}=?.*`), `${name} names ${variable}:\n${output}`);
      assert.match(output, /Invalid environment configuration/);
    }
  });

  it('writes nothing but JSON lines by default, Node\'s own process warnings included', async () => {
    // On Node 24 kafkajs sets a negative timeout when it connects (kafkajs#1751); Node's own printer
    // would write that warning as three lines of plain text in between the JSON ones.
    const system = await System.start();
    try {
      const client = await TestClient.connect(system.wsUrl);
      client.send({ action: 'subscribe', payload: { symbols: ['AAPL'] } });
      await client.next((m) => m.type === 'update');
      client.close();
      for (const [name, app] of Object.entries(system.apps)) {
        const lines = app!.output.split('\n').filter((line) => line.trim() !== '');
        assert.ok(lines.length > 0, `${name} logged something`);
        for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `${name} wrote a line that is not JSON: ${line}`);
      }
    } finally {
      await system.stop();
    }
  });

  it('stops every app with exit 0 within 10 s on SIGTERM under load, closing sockets with 1001 and flushing every tick', async () => {
    const system = await System.start({ TICK_INTERVAL_MS: '5' });
    const client = await TestClient.connect(system.wsUrl);
    client.send({ action: 'subscribe', payload: { symbols: ['AAPL', 'MSFT'] } });
    await client.expect('subscribed');
    await client.next((m) => m.type === 'update');
    await sleep(1000);

    const generator = system.apps.generator!;
    const generatorExit = await generator.stop('SIGTERM');
    assert.equal(generatorExit.code, 0, generator.output.slice(-2000));
    assert.ok(generatorExit.ms < 10_000, `generator took ${generatorExit.ms} ms`);
    const flushed = /flushed: (\d+) ticks published, (\d+) failed/.exec(generator.output);
    assert.ok(flushed, 'generator reports what it flushed');
    const admin = testKafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(system.env.KAFKA_TICKS_TOPIC);
    await admin.disconnect();
    const inKafka = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    assert.equal(inKafka, Number(flushed[1]), 'every tick the generator acknowledged is in Kafka, once');
    assert.equal(flushed[2], '0');

    const gatewayExit = await system.apps.gateway!.stop('SIGTERM');
    assert.equal(gatewayExit.code, 0, system.apps.gateway!.output.slice(-2000));
    assert.ok(gatewayExit.ms < 10_000, `gateway took ${gatewayExit.ms} ms`);
    assert.equal((await client.closed).code, 1001);

    const processorExit = await system.apps.processor!.stop('SIGTERM');
    assert.equal(processorExit.code, 0, system.apps.processor!.output.slice(-2000));
    assert.ok(processorExit.ms < 10_000, `processor took ${processorExit.ms} ms`);
  });
});
