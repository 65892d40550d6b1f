import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { parse, parseAllDocuments } from 'yaml';
import { GatewayEnv, GeneratorEnv, KafkaEnv, MarketEnv, ProcessorEnv, RedisEnv, validateEnv } from '#app/config';
import { HealthController } from '#app/health';
import { LogEnv, SHUTDOWN_DEADLINE_MS } from '#app/runtime';
import type { AppName } from '../support/app-process.js';
import { imageName } from '../support/app-container.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BASE = `${ROOT}deploy/k8s`;
const APPS: AppName[] = ['generator', 'processor', 'gateway'];

/**
 * The models whose validate() checks a resource against the Kubernetes API's OpenAPI schema: types,
 * required fields, formats such as quantities. Like that schema they let unknown fields through (a
 * misspelt `readinesProbe` would pass), which is why the tests below look for each field they rely on.
 */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** The variables each app reads, with the class that validates them when it starts. */
type EnvClass = new () => object;
const APP_ENV: Record<AppName, EnvClass> = { generator: GeneratorEnv, processor: ProcessorEnv, gateway: GatewayEnv };
const PORT_OF: Record<AppName, string> = { generator: 'GENERATOR_PORT', processor: 'PROCESSOR_PORT', gateway: 'GATEWAY_PORT' };
const SHARED_ENV: EnvClass[] = [LogEnv, KafkaEnv, RedisEnv, MarketEnv];

/** What HealthController serves, read from its routes: readiness and liveness. */
function healthPaths(): { readiness: string; liveness: string } {
  const join = (...parts: string[]) => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
  const base = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
  const route = (method: keyof HealthController) => Reflect.getMetadata(PATH_METADATA, HealthController.prototype[method]) as string;
  return { readiness: join(base, route('readiness')), liveness: join(base, route('liveness')) };
}

const UNITS: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
/** A Kubernetes quantity ("250m", "512Mi", "1") as a number, for the forms these manifests use. */
function quantity(value: string | number | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/.exec(String(value));
  assert.ok(match, `quantity ${value} is not of a form this test reads`);
  return Number(match[1]) * UNITS[match[2] ?? ''];
}

interface Rendered {
  configMap: IConfigMap;
  deployments: Record<AppName, IDeployment>;
  services: Record<AppName, IService>;
  pdbs: IPodDisruptionBudget[];
  all: Array<{ apiVersion: string; kind: string; metadata: { name: string } }>;
}

/** `kustomize build deploy/k8s`, what `kubectl apply -k deploy/k8s` sends to the API server. */
function render(): Rendered {
  const kustomize = process.env.KUSTOMIZE ?? 'kustomize';
  const yaml = execFileSync(kustomize, ['build', BASE], { encoding: 'utf8' });
  const all = parseAllDocuments(yaml).map((doc) => doc.toJS() as Rendered['all'][number]);
  const ofKind = <T>(kind: string) => all.filter((r) => r.kind === kind) as unknown as T[];
  const byApp = <T extends { metadata?: { labels?: Record<string, string> } }>(list: T[]) =>
    Object.fromEntries(list.map((r) => [r.metadata!.labels!['app.kubernetes.io/name'], r])) as Record<AppName, T>;
  const configMaps = ofKind<IConfigMap>('ConfigMap');
  assert.equal(configMaps.length, 1, 'one ConfigMap for the environment');
  return {
    configMap: configMaps[0],
    deployments: byApp(ofKind<IDeployment>('Deployment')),
    services: byApp(ofKind<IService>('Service')),
    pdbs: ofKind<IPodDisruptionBudget>('PodDisruptionBudget'),
    all,
  };
}

function appContainer(deployment: IDeployment): IContainer {
  const containers = deployment.spec!.template.spec!.containers;
  assert.equal(containers.length, 1, `${deployment.metadata!.name}: one container`);
  return containers[0];
}

describe('Kubernetes manifests (deploy/k8s, rendered by kustomize)', () => {
  let k8s: Rendered;
  before(() => {
    k8s = render();
  });

  it('every YAML file in deploy/k8s is a resource of the kustomization', () => {
    const files = readdirSync(BASE).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    const { resources } = parse(readFileSync(`${BASE}/kustomization.yaml`, 'utf8')) as { resources: string[] };
    assert.deepEqual(files.sort(), [...resources].sort());
  });

  it('every resource is valid against the Kubernetes API schema', () => {
    for (const resource of k8s.all) {
      const Model = MODELS[`${resource.apiVersion}/${resource.kind}`];
      assert.ok(Model, `${resource.apiVersion} ${resource.kind} ${resource.metadata.name}: no schema model for it in this test`);
      assert.doesNotThrow(() => new Model(resource as never).validate(), `${resource.kind} ${resource.metadata.name}`);
    }
  });

  it('each app has a Deployment of the image `npm run images` builds, and a Service', async () => {
    assert.deepEqual(Object.keys(k8s.deployments).sort(), [...APPS].sort());
    assert.deepEqual(Object.keys(k8s.services).sort(), [...APPS].sort());
    for (const app of APPS) assert.equal(appContainer(k8s.deployments[app]).image, await imageName(app), app);
  });

  it('the ConfigMap holds only variables the apps read, each passing their own validation', () => {
    const data = k8s.configMap.data ?? {};
    const known = new Set([...SHARED_ENV, ...Object.values(APP_ENV)].flatMap((cls) => Object.keys(new cls())));
    for (const name of Object.keys(data)) assert.ok(known.has(name), `${name} is read by no app`);
    for (const cls of [...SHARED_ENV, ...Object.values(APP_ENV)]) assert.doesNotThrow(() => validateEnv(cls, data), cls.name);
  });

  it('every Deployment reads the ConfigMap', () => {
    for (const app of APPS) {
      const sources = appContainer(k8s.deployments[app]).envFrom ?? [];
      assert.ok(sources.some((s) => s.configMapRef?.name === k8s.configMap.metadata!.name), app);
    }
  });

  it('every probe asks for the path the app serves it on, at the port the app listens on', () => {
    const paths = healthPaths();
    assert.deepEqual(paths, { readiness: '/health', liveness: '/health/live' });
    for (const app of APPS) {
      const container = appContainer(k8s.deployments[app]);
      const env = { ...k8s.configMap.data, ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value])) };
      const listensOn = (validateEnv(APP_ENV[app], env) as Record<string, unknown>)[PORT_OF[app]];
      const portOf = (port: string | number) => (typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort);
      assert.deepEqual(container.ports?.map((p) => p.containerPort), [listensOn], `${app} declares the port it listens on`);
      const probes = { readinessProbe: paths.readiness, livenessProbe: paths.liveness, startupProbe: paths.liveness } as const;
      for (const [probe, path] of Object.entries(probes) as Array<[keyof typeof probes, string]>) {
        const httpGet = container[probe]?.httpGet;
        assert.ok(httpGet, `${app} has an HTTP ${probe}`);
        assert.equal(httpGet.path, path, `${app} ${probe}`);
        assert.equal(portOf(httpGet.port), listensOn, `${app} ${probe} port`);
      }
    }
  });

  it("each Service selects its app's pods only and sends its port to the port the app listens on", () => {
    for (const app of APPS) {
      const service = k8s.services[app];
      const deployment = k8s.deployments[app];
      const podLabels = deployment.spec!.template.metadata!.labels!;
      for (const [key, value] of Object.entries(service.spec!.selector!)) assert.equal(podLabels[key], value, `${app} Service selector ${key}`);
      for (const other of APPS.filter((a) => a !== app)) {
        const otherLabels = k8s.deployments[other].spec!.template.metadata!.labels!;
        assert.ok(Object.entries(service.spec!.selector!).some(([k, v]) => otherLabels[k] !== v), `${app} Service also selects ${other}`);
      }
      const container = appContainer(deployment);
      for (const port of service.spec!.ports!) {
        const target = typeof port.targetPort === 'number' ? port.targetPort : container.ports!.find((p) => p.name === port.targetPort)?.containerPort;
        assert.equal(target, container.ports![0].containerPort, `${app} Service port ${port.name}`);
      }
    }
  });

  it('pods are given longer to stop than the apps take to drain', () => {
    for (const app of APPS) {
      const grace = k8s.deployments[app].spec!.template.spec!.terminationGracePeriodSeconds!;
      assert.ok(grace * 1000 > SHUTDOWN_DEADLINE_MS, `${app}: ${grace} s is not above the ${SHUTDOWN_DEADLINE_MS} ms drain deadline`);
    }
  });

  it('every container requests CPU and memory and is limited, requests within limits', () => {
    for (const app of APPS) {
      const { requests, limits } = appContainer(k8s.deployments[app]).resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        assert.ok(requests?.[resource] && limits?.[resource], `${app} ${resource} request and limit`);
        assert.ok(quantity(requests[resource]) <= quantity(limits[resource]), `${app} ${resource}: request above limit`);
      }
    }
  });

  it('pods run as a non-root user, without privileges, on a read-only root filesystem', () => {
    for (const app of APPS) {
      const pod = k8s.deployments[app].spec!.template.spec!;
      const container = appContainer(k8s.deployments[app]);
      assert.equal(pod.securityContext?.runAsNonRoot, true, app);
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true, app);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false, app);
      assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL'], app);
    }
  });

  it("the gateway's PodDisruptionBudget covers its pods and still lets a drain evict one", () => {
    const gateway = k8s.deployments.gateway;
    const pdb = k8s.pdbs.find((p) => p.metadata!.name === gateway.metadata!.name);
    assert.ok(pdb, 'a PodDisruptionBudget for the gateway');
    assert.deepEqual(pdb.spec!.selector, gateway.spec!.selector);
    assert.ok(Number(pdb.spec!.minAvailable) < gateway.spec!.replicas!, 'minAvailable below replicas, or no pod could ever be evicted');
  });
});
