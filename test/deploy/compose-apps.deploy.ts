import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { GatewayEnv, GeneratorEnv, KafkaEnv, ProcessorEnv, RedisEnv, validateEnv } from '#app/config';
import type { AppName } from '../support/app-process.js';
import { imageName } from '../support/app-container.js';

/*
 * docker-compose.yml's `apps` profile, read as compose reads it. No registry serves the Kafka and Redis
 * images here, so `docker compose --profile apps up` cannot run on this machine; this checks what would
 * make it fail on one that can: the images, the addresses, the ports and the start order.
 */
interface ComposeService {
  image?: string;
  profiles?: string[];
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

const COMPOSE = fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url));
const services = (parse(readFileSync(COMPOSE, 'utf8')) as { services: Record<string, ComposeService> }).services;
const APPS: AppName[] = ['generator', 'processor', 'gateway'];
const NEEDS: Record<AppName, string[]> = { generator: ['kafka'], processor: ['kafka', 'redis'], gateway: ['redis'] };
const PORT: Record<AppName, number> = {
  generator: validateEnv(GeneratorEnv, services.generator?.environment ?? {}).GENERATOR_PORT,
  processor: validateEnv(ProcessorEnv, services.processor?.environment ?? {}).PROCESSOR_PORT,
  gateway: validateEnv(GatewayEnv, services.gateway?.environment ?? {}).GATEWAY_PORT,
};

/** The address Kafka advertises on its listener for containers on the compose network. */
function kafkaAddressForContainers(): string {
  const advertised = services.kafka.environment!.KAFKA_ADVERTISED_LISTENERS.split(',');
  const docker = advertised.find((l) => l.startsWith('DOCKER://'));
  assert.ok(docker, 'Kafka advertises a DOCKER listener');
  return docker.slice('DOCKER://'.length);
}

describe("docker-compose.yml's apps profile", () => {
  it('runs the image `npm run images` builds for each app, built from its Dockerfile target', async () => {
    for (const app of APPS) {
      const service = services[app];
      assert.ok(service, `a ${app} service`);
      assert.equal(service.image, await imageName(app));
      assert.deepEqual({ context: service.build?.context, target: service.build?.target }, { context: '.', target: app });
    }
  });

  it('starts the apps only with --profile apps, so `docker compose up -d kafka redis` stays infrastructure', () => {
    for (const app of APPS) assert.deepEqual(services[app].profiles, ['apps'], app);
    for (const name of ['kafka', 'redis']) assert.equal(services[name].profiles, undefined, name);
  });

  it('points the apps at Kafka and Redis by the addresses the compose network gives them', () => {
    for (const app of APPS) {
      const env = services[app].environment ?? {};
      assert.doesNotThrow(() => validateEnv(KafkaEnv, env), app);
      assert.doesNotThrow(() => validateEnv(RedisEnv, env), app);
      if (NEEDS[app].includes('kafka')) assert.equal(env.KAFKA_BROKERS, kafkaAddressForContainers(), app);
      if (NEEDS[app].includes('redis')) assert.equal(env.REDIS_URL, 'redis://redis:6379', app);
    }
  });

  it('publishes the port each app listens on', () => {
    for (const app of APPS) assert.deepEqual(services[app].ports, [`${PORT[app]}:${PORT[app]}`], app);
  });

  it('starts each app once the Kafka and Redis it needs pass their health checks', () => {
    for (const app of APPS) {
      assert.deepEqual(Object.keys(services[app].depends_on ?? {}).sort(), NEEDS[app], app);
      for (const dependency of NEEDS[app]) {
        assert.equal(services[app].depends_on![dependency].condition, 'service_healthy', `${app} on ${dependency}`);
        assert.ok(services[dependency].healthcheck, `${dependency} has a health check`);
      }
    }
  });
});
