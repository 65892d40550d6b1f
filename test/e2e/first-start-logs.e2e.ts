import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { after, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { forgetState, localInfra, reservePorts, type KafkaClusterOptions } from '../support/local-infra.js';
import { QuoteWatcher } from '../support/quote-watcher.js';
import { isolatedEnv, REDIS_URL, startApp } from '../support/system.js';
import { waitUntil } from '../support/wait-until.js';

/** A line the text logger marks as an alarm: `[Nest] 123  - <date>   ERROR [Kafka] ...`. */
const ALARM = /^.*\s(FATAL|ERROR|WARN)\s+\[.*$/gm;

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('a first start: the apps come up while their Kafka is still booting (as npm start on a fresh clone)', () => {
  const infra = localInfra();
  let kafka: KafkaClusterOptions | undefined;
  const starting: Promise<AppProcess>[] = [];
  let watcher: QuoteWatcher | undefined;

  after(async () => {
    watcher?.stop();
    const apps = await Promise.allSettled(starting);
    await Promise.all(apps.map((a) => (a.status === 'fulfilled' ? a.value.stop('SIGKILL') : undefined)));
    if (kafka) {
      await (await infra).stopKafka(kafka);
      await forgetState(kafka);
    }
  }, { timeout: 60_000 });

  it('logs no ERROR or WARN line from start to a clean stop', { timeout: 240_000 }, async () => {
    kafka = { kafkaPort: await reservePorts(2, 'FIRST_START_KAFKA_PORT') };
    const kafkaReady = (await infra).startKafka(kafka);
    // The broker accepts connections seconds before its controller, coordinators and leaders are ready.
    await waitUntil('the new broker to accept connections', () => accepts(kafka!.kafkaPort), { timeoutMs: 120_000, intervalMs: 50 });
    // npm start's apps, as it runs them: text logs at the default level, all three at once.
    const env = isolatedEnv({ KAFKA_BROKERS: `127.0.0.1:${kafka.kafkaPort}`, LOG_FORMAT: 'text', LOG_LEVEL: 'log' });
    for (const name of ['processor', 'gateway', 'generator'] as const) starting.push(startApp(name, env, undefined, 120_000));
    await kafkaReady;
    const apps = await Promise.all(starting);
    watcher = await QuoteWatcher.start(REDIS_URL, env.REDIS_KEY_PREFIX);
    await waitUntil('quotes to flow from the generator to Redis', () => watcher!.publishedCount >= 50, { timeoutMs: 30_000 });

    const exits = await Promise.all(apps.map((a) => a.stop('SIGTERM')));
    const log = apps.map((a) => a.output.replace(/^/gm, `[${a.name}] `)).join('\n');
    assert.deepEqual(exits.map((e) => e.code), [0, 0, 0], log.slice(-4000));
    assert.deepEqual(log.match(ALARM) ?? [], [], 'a start with nothing wrong raises no alarm');
  });
});
