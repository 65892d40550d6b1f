import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AppName } from '../support/app-process.js';
import { AppContainer, docker, imageName } from '../support/app-container.js';
import { freePort } from '../support/ports.js';
import { assertStrictlyIncreasing, seqsSeenBy } from '../support/seq-order.js';
import { isolatedEnv, PORT_VARIABLE } from '../support/system.js';
import { TestClient } from '../support/ws-client.js';

/*
 * The images `npm run images` built (npm run test:deploy builds them first), each run as a container
 * on the host's network against the shared Kafka and Redis, with a topic, group and key prefix of its own.
 */
const APPS: AppName[] = ['processor', 'gateway', 'generator'];
const DEFAULT_PORT: Record<AppName, number> = { generator: 8082, processor: 8083, gateway: 8081 };

describe('the app images, run as containers against the real Kafka and Redis', { timeout: 240_000 }, () => {
  const env = isolatedEnv();
  const id = randomUUID().slice(0, 8);
  const containers = {} as Record<AppName, AppContainer>;
  const others: AppContainer[] = [];
  const clients: TestClient[] = [];
  let silentBroker: Server | undefined;

  before(async () => {
    for (const app of APPS) {
      const port = await freePort();
      containers[app] = await AppContainer.run(app, `watchlist-deploy-${id}-${app}`, port, { ...env, [PORT_VARIABLE[app]]: String(port) });
      await containers[app].waitUntilAnswers('/health', 90_000);
    }
  }, { timeout: 300_000 });

  after(async () => {
    for (const client of clients) client.close();
    silentBroker?.close();
    await Promise.all([...Object.values(containers), ...others].map((c) => c.remove()));
  }, { timeout: 60_000 });

  it('each app answers /health and /health/live with 200', async () => {
    for (const app of APPS) {
      assert.equal((await containers[app].health('/health')).status, 200, `${app} readiness`);
      assert.deepEqual((await containers[app].health('/health/live')).body, { status: 'ok', info: {}, error: {}, details: {} }, `${app} liveness`);
    }
  });

  it("Docker's HEALTHCHECK, run inside each container, reports it healthy", { timeout: 120_000 }, async () => {
    await Promise.all(APPS.map((app) => containers[app].waitUntilHealthy(90_000)));
  });

  it('every process in the containers runs as a non-root user, with tini as PID 1 and node under it', async () => {
    for (const app of APPS) {
      const processes = await containers[app].processes();
      assert.deepEqual(processes.slice(0, 2).map((p) => p.program), ['tini', 'node'], `${app}: ${JSON.stringify(processes)}`);
      for (const p of processes) assert.notEqual(p.uid, 0, `${app}: ${p.program} (host pid ${p.pid}) runs as root`);
    }
  });

  it('each image runs in production mode with production dependencies only, and exposes its port', async () => {
    for (const app of APPS) {
      const image = await imageName(app);
      const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', image)) as {
        Env: string[];
        ExposedPorts: Record<string, unknown>;
        User: string;
      };
      assert.ok(config.Env.includes('NODE_ENV=production'), `${app}: ${config.Env.join(' ')}`);
      assert.deepEqual(Object.keys(config.ExposedPorts), [`${DEFAULT_PORT[app]}/tcp`]);
      assert.equal(config.User, '1000:1000', 'numeric, so that runAsNonRoot can check it');
      const installed = await docker('exec', containers[app].name, 'node', '-e',
        "console.log(['@nestjs/core', 'kafkajs', '@nestjs/cli', 'vite', 'playwright-core'].filter((m) => require('fs').existsSync('node_modules/' + m)).join())");
      // Dev-only packages (the CLI, Vite, Playwright) must be absent. TypeScript is not among them:
      // @nestjs/swagger, a production dependency of the gateway's REST API, depends on it.
      assert.equal(installed, '@nestjs/core,kafkajs', app);
    }
  });

  it('the containerised gateway serves the watchlist page and keeps the WebSocket contract', { timeout: 60_000 }, async () => {
    const gateway = containers.gateway;
    const page = await fetch(`http://127.0.0.1:${gateway.port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);

    const client = await TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws`);
    clients.push(client);
    client.send({ action: 'subscribe', payload: { symbols: ['aapl', 'MSFT', 'ZZZZ'] } });
    assert.equal((await client.expect('error')).payload.code, 'UNKNOWN_SYMBOL');
    assert.deepEqual((await client.expect('subscribed')).payload.symbols, ['AAPL', 'MSFT']);
    await client.expect('snapshot');
    for (let i = 0; i < 20; i++) await client.expect('update', 20_000);
    assert.deepEqual(new Set(client.updates().map((u) => u.payload.symbol)), new Set(['AAPL', 'MSFT']));
    assertStrictlyIncreasing(seqsSeenBy(client), 'client of the containerised gateway');

    client.send('not json');
    const error = await client.next((m) => m.type === 'error');
    assert.equal(error.type === 'error' && error.payload.code, 'INVALID_JSON');
    client.send({ action: 'ping' });
    await client.next((m) => m.type === 'pong');
  });

  it("docker stop ends each app with exit code 0, before Docker's 10 s SIGKILL", { timeout: 60_000 }, async () => {
    const client = clients[0];
    for (const app of ['generator', 'processor', 'gateway'] as const) {
      const code = await containers[app].stop();
      assert.equal(code, 0, `${app} exited ${code} (137: killed after 10 s):\n${(await containers[app].logs()).slice(-3000)}`);
      assert.match(await containers[app].logs(), /"msg":"stopped"/, app);
    }
    assert.equal((await client.closed).code, 1001, 'the gateway closed the socket as going away');
  });

  it('docker stop during start-up, before the app handles signals, ends it by SIGTERM instead of a kill 10 s later', { timeout: 60_000 }, async () => {
    // A "broker" that accepts connections and never answers keeps the generator in its start-up.
    const sockets: Socket[] = [];
    const connected = new Promise<void>((resolve) => {
      silentBroker = createServer((socket) => {
        sockets.push(socket);
        resolve();
      });
    });
    const brokerPort = await new Promise<number>((resolve) => silentBroker!.listen(0, '127.0.0.1', () => resolve((silentBroker!.address() as AddressInfo).port)));
    const port = await freePort();
    const starting = await AppContainer.run('generator', `watchlist-deploy-${id}-starting`, port, {
      ...env,
      KAFKA_BROKERS: `127.0.0.1:${brokerPort}`,
      GENERATOR_PORT: String(port),
    });
    others.push(starting);
    await connected;
    // Node as PID 1 would ignore the SIGTERM (no handler yet, and PID 1 has no default actions) and be
    // killed after 10 s (137); under tini it gets the signal and its default action ends it (128 + 15).
    assert.equal(await starting.stop(), 143, (await starting.logs()).slice(-3000));
    for (const socket of sockets) socket.destroy();
  });
});
