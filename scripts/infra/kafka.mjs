// A real Apache Kafka (KRaft, no ZooKeeper) run straight from the Maven Central jars:
//   mvn dependency:copy-dependencies (scripts/kafka/pom.xml) -> .cache/kafka/libs
//   kafka.tools.StorageTool format, then `java -cp libs/* kafka.Kafka server.properties` detached.
// One combined broker+controller node by default; `kafkaBrokers: 3` runs a 3-voter cluster.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  CACHE, ROOT, aptInstall, canApt, fail, log, mkdirp, ownedPid, run, runAsync, stopPid, tail, which, withLock,
} from './common.mjs';
import { kafkaProbe, tcpOpen, waitFor, waitPortsClosed } from './wait.mjs';

const KAFKA_DIR = path.join(CACHE, 'kafka');
const LIBS = path.join(KAFKA_DIR, 'libs');
const POM = path.join(ROOT, 'scripts', 'kafka', 'pom.xml');
const LOG4J = path.join(KAFKA_DIR, 'log4j2.properties');
const START_TIMEOUT_MS = 120_000;
const MARKER = 'kafka.Kafka'; // main class, used to recognise our processes in /proc/<pid>/cmdline

/**
 * Layout of a cluster. Single node: broker on `kafkaPort` (9092), controller on +1.
 * N nodes: node i (1..N) gets broker port kafkaPort + 2(i-1) (default 19092, 19094, 19096)
 * and controller port broker + 1 (19093, 19095, 19097).
 */
export function kafkaLayout({ kafkaPort, kafkaBrokers = 1 } = {}) {
  const count = Number(kafkaBrokers);
  if (!Number.isInteger(count) || count < 1 || count > 9) fail(`--kafka-brokers must be 1..9, got ${kafkaBrokers}`);
  const basePort = Number(kafkaPort ?? (count > 1 ? 19092 : 9092));
  const clusterDir = path.join(KAFKA_DIR, count > 1 ? `cluster-${basePort}x${count}` : `cluster-${basePort}`);
  const nodes = Array.from({ length: count }, (_, i) => {
    const port = basePort + 2 * i;
    const dir = path.join(clusterDir, `node-${i + 1}`);
    return {
      id: i + 1, port, controllerPort: port + 1, dir,
      dataDir: path.join(dir, 'data'),
      props: path.join(dir, 'server.properties'),
      pidFile: path.join(dir, 'kafka.pid'),
      logFile: path.join(dir, 'kafka.log'),
    };
  });
  return { count, basePort, clusterDir, nodes, bootstrapServers: nodes.map((n) => `127.0.0.1:${n.port}`).join(',') };
}

// ---- toolchain -------------------------------------------------------------------------------------

let javaCache = null;
/** java binary: $JAVA_HOME/bin/java, else `java` on PATH (>= 17); apt-installs JDK 17 as root on Debian. */
export function javaBin() {
  if (javaCache) return javaCache;
  const candidates = [process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java'), 'java'].filter(Boolean);
  const problems = [];
  for (const c of candidates) {
    const bin = which(c);
    if (!bin) continue;
    const r = run(bin, ['-version']);
    const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr + r.stdout);
    const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
    if (major >= 17) return (javaCache = bin);
    problems.push(`${bin} is Java ${major || '?'}`);
  }
  if (problems.length === 0 && canApt()) {
    aptInstall(['openjdk-17-jre-headless']);
    return (javaCache = which('java') ?? fail('java still not found after installing openjdk-17-jre-headless'));
  }
  return fail(`Kafka 4 needs Java 17+ (${problems.join('; ') || 'no java found'}). Install a JDK/JRE 17+ ` +
    '(Debian: apt-get install openjdk-17-jre-headless) or point JAVA_HOME at one.');
}

const pomHash = () => crypto.createHash('sha256').update(fs.readFileSync(POM)).digest('hex');

/** Download the broker classpath once (re-fetched when scripts/kafka/pom.xml changes). */
export function ensureKafkaLibs() {
  const stamp = path.join(LIBS, '.pom-sha256');
  const hash = pomHash();
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash) return LIBS;
  const java = javaBin();
  let mvn = which('mvn');
  if (!mvn && canApt()) {
    aptInstall(['maven']);
    mvn = which('mvn');
  }
  if (!mvn) fail('Maven (mvn) is needed once to download the Kafka jars. Install it (Debian: apt-get install maven).');
  const tmp = `${LIBS}.tmp-${process.pid}`; // private: another `up` may be fetching too
  fs.rmSync(tmp, { recursive: true, force: true });
  log('fetching Kafka jars from Maven Central (first run only) ...');
  const t0 = Date.now();
  const env = { ...process.env, JAVA_HOME: path.resolve(fs.realpathSync(java), '..', '..') }; // mvn runs on the same JDK
  const r = run(mvn, ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`], { env });
  const jars = fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((f) => f.endsWith('.jar')) : [];
  if (!r.ok || !jars.some((j) => /^kafka_2\.13-.*\.jar$/.test(j))) {
    fs.rmSync(tmp, { recursive: true, force: true });
    fail(`mvn dependency:copy-dependencies failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-25).join('\n')}`);
  }
  fs.writeFileSync(path.join(tmp, '.pom-sha256'), hash);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash) {
    fs.rmSync(tmp, { recursive: true, force: true }); // someone else finished first
  } else {
    fs.rmSync(LIBS, { recursive: true, force: true });
    fs.renameSync(tmp, LIBS);
  }
  log(`fetched ${jars.length} jars into ${path.relative(ROOT, LIBS)} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return LIBS;
}

/** WARN and above to the process stdout (redirected to kafka.log), plus the server lifecycle lines. */
function writeLog4j() {
  mkdirp(KAFKA_DIR);
  fs.writeFileSync(LOG4J, [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = OUT',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = WARN',
    'rootLogger.appenderRef.out.ref = OUT',
    'logger.lifecycle.name = kafka.server.KafkaRaftServer',
    'logger.lifecycle.level = INFO',
    '',
  ].join('\n'));
}

const jvmArgs = (extra = []) => [
  '-Xmx512m', '-Xms256m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${LOG4J}`, ...extra, '-cp', path.join(LIBS, '*'),
];

/**
 * Run a Kafka CLI class from the fetched jars, e.g.
 * kafkaTool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', '127.0.0.1:9092', '--list']).
 * Resolves { ok, code, output }.
 */
export function kafkaTool(mainClass, args, { input } = {}) {
  ensureKafkaLibs();
  writeLog4j();
  if (input === undefined) return runAsync(javaBin(), [...jvmArgs(), mainClass, ...args]);
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(javaBin(), [...jvmArgs(), mainClass, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ ok: code === 0, code, output }));
    child.stdin.end(input);
  });
}

// ---- configuration + storage -----------------------------------------------------------------------

function serverProperties(layout, node) {
  const rf = Math.min(3, layout.count);
  const isr = layout.count >= 3 ? 2 : 1;
  const voters = layout.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
  return `# generated by scripts/infra.mjs - edits are overwritten on every start
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${node.dataDir}
num.partitions=1
default.replication.factor=${rf}
min.insync.replicas=${isr}
offsets.topic.replication.factor=${rf}
transaction.state.log.replication.factor=${rf}
transaction.state.log.min.isr=${isr}
share.coordinator.state.topic.replication.factor=${rf}
share.coordinator.state.topic.min.isr=${isr}
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=4
`;
}

/** Kafka-style cluster id: 16 random bytes, base64url without padding, never starting with '-'. */
function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const metaFile = (node) => path.join(node.dataDir, 'meta.properties');

function clusterId(layout) {
  const file = path.join(layout.clusterDir, 'cluster.id');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  for (const n of layout.nodes) {
    const m = fs.existsSync(metaFile(n)) && /^cluster\.id=(.+)$/m.exec(fs.readFileSync(metaFile(n), 'utf8'));
    if (m) return m[1].trim();
  }
  const id = newClusterId();
  mkdirp(layout.clusterDir);
  fs.writeFileSync(file, `${id}\n`);
  return id;
}

/** Write server.properties for every node; format the log dirs that are not formatted yet. */
async function prepare(layout, nodes) {
  ensureKafkaLibs();
  writeLog4j();
  const cid = clusterId(layout);
  await Promise.all(nodes.map(async (node) => {
    mkdirp(node.dataDir);
    fs.writeFileSync(node.props, serverProperties(layout, node));
    if (fs.existsSync(metaFile(node))) return;
    log(`formatting KRaft storage for node ${node.id} (cluster ${cid})`);
    const r = await runAsync(javaBin(), [...jvmArgs(), 'kafka.tools.StorageTool', 'format',
      '--cluster-id', cid, '--config', node.props, '--ignore-formatted']);
    if (!r.ok) fail(`kafka-storage format failed for node ${node.id}:\n${r.output.trim()}`);
  }));
}

// ---- processes -------------------------------------------------------------------------------------

function spawnNode(node) {
  const out = fs.openSync(node.logFile, 'a');
  fs.writeSync(out, `\n===== ${new Date().toISOString()} [infra] starting Kafka node ${node.id} on 127.0.0.1:${node.port}\n`);
  const child = spawn(javaBin(), [...jvmArgs([`-Dkafka.logs.dir=${node.dir}`]), 'kafka.Kafka', node.props], {
    cwd: node.dir, detached: true, stdio: ['ignore', out, out],
  });
  child.on('error', () => {}); // surfaced by the readiness wait (process not alive)
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(node.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** Lines of the latest start in a node's log without Java stack frames: the useful part of a failure. */
function logSummary(file) {
  const text = tail(file, 400);
  const lastStart = text.lastIndexOf('\n===== ');
  return text.slice(lastStart + 1).split('\n').filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l)).slice(-30).join('\n');
}

async function waitReady(node, pid) {
  try {
    return await waitFor(async () => {
      const md = await kafkaProbe(node.port);
      return md.brokers.some((b) => b.nodeId === node.id) ? md : null;
    }, {
      timeoutMs: START_TIMEOUT_MS,
      what: `Kafka node ${node.id} on 127.0.0.1:${node.port}`,
      abort: () => (pid && !ownedPid(node.pidFile, MARKER) ? `Kafka node ${node.id} exited during startup` : null),
    });
  } catch (e) {
    return fail(`${e.message}\n--- ${path.relative(ROOT, node.logFile)} (stack frames omitted) ---\n${logSummary(node.logFile)}`);
  }
}

/** Start the nodes of `layout` (all by default) that are not running; reuse what already answers. */
async function startNodes(layout, nodes) {
  const toStart = [];
  const reused = [];
  for (const node of nodes) {
    const pid = ownedPid(node.pidFile, MARKER);
    if (pid) {
      reused.push({ node, pid, how: `already running (pid ${pid})` });
    } else if (await tcpOpen(node.port)) {
      const md = await kafkaProbe(node.port).catch(() => null);
      if (!md) fail(`127.0.0.1:${node.port} is in use by something that does not answer as a Kafka broker`);
      reused.push({ node, pid: null, how: 'already answering (not started by this script), reusing it' });
    } else if (await tcpOpen(node.controllerPort)) {
      fail(`controller port 127.0.0.1:${node.controllerPort} of Kafka node ${node.id} is already in use (choose another --kafka-port)`);
    } else {
      toStart.push(node);
    }
  }
  if (toStart.length) await prepare(layout, toStart);
  const started = toStart.map((node) => ({ node, pid: spawnNode(node), how: null }));
  const t0 = Date.now();
  const all = [...reused, ...started];
  await Promise.all(all.map(async (s) => {
    await waitReady(s.node, s.pid);
    const what = s.how ?? `started (pid ${s.pid}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`;
    log(`Kafka node ${s.node.id} on 127.0.0.1:${s.node.port} ${what}`);
  }));
  return all.map((s) => ({ id: s.node.id, port: s.node.port, controllerPort: s.node.controllerPort, pid: s.pid, reused: s.how !== null }));
}

/** Start (or reuse) the whole cluster. Resolves { bootstrapServers, nodes: [{ id, port, controllerPort, pid, reused }] }. */
export async function startKafka(opts = {}) {
  const layout = kafkaLayout(opts);
  return withLock(lockFile(layout), () => startCluster(layout));
}

const lockFile = (layout) => path.join(layout.clusterDir, '.lock');

async function startCluster(layout) {
  const nodes = await startNodes(layout, layout.nodes);
  if (layout.count > 1) {
    await waitFor(async () => (await kafkaProbe(layout.nodes[0].port)).brokers.length >= layout.count, {
      timeoutMs: 30_000, what: `all ${layout.count} brokers to register`,
    }).catch((e) => fail(e.message));
  }
  log(`Kafka ready: bootstrap ${layout.bootstrapServers}`);
  return { bootstrapServers: layout.bootstrapServers, nodes };
}

async function stopNode(node, { signal = 'SIGTERM' } = {}) {
  const pid = ownedPid(node.pidFile, MARKER);
  if (pid) {
    const t0 = Date.now();
    const gone = await stopPid(pid, { signal });
    if (!gone) fail(`could not stop Kafka node ${node.id} (pid ${pid})`);
    fs.rmSync(node.pidFile, { force: true });
    await waitPortsClosed([node.port, node.controllerPort]);
    log(`Kafka node ${node.id} on 127.0.0.1:${node.port} stopped (pid ${pid}, ${signal}, ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    return true;
  }
  if (await tcpOpen(node.port)) log(`Kafka on 127.0.0.1:${node.port} was not started by this script, leaving it alone`);
  else log(`Kafka node ${node.id} on 127.0.0.1:${node.port} not running`);
  return false;
}

/** Stop every node of the cluster that our pid files say we started. */
export async function stopKafka(opts = {}) {
  const layout = kafkaLayout(opts);
  // All at once: stopped one by one, the last nodes would lose the controller quorum mid-shutdown.
  await withLock(lockFile(layout), () => Promise.all(layout.nodes.map((n) => stopNode(n, opts))));
}

function pickNode(nodeId, opts) {
  const layout = kafkaLayout({ kafkaBrokers: 3, ...opts });
  const node = layout.nodes.find((n) => n.id === Number(nodeId));
  if (!node) fail(`no Kafka node ${nodeId} in a ${layout.count}-node cluster (ids 1..${layout.count})`);
  return { layout, node };
}

/** Stop one node of a multi-broker cluster (default 3 nodes on 19092..). `signal: 'SIGKILL'` for a crash. */
export async function stopKafkaBroker(nodeId, opts = {}) {
  const { layout, node } = pickNode(nodeId, opts);
  return withLock(lockFile(layout), () => stopNode(node, opts));
}

/** (Re)start one node of a multi-broker cluster and wait until it serves requests again. */
export async function startKafkaBroker(nodeId, opts = {}) {
  const { layout, node } = pickNode(nodeId, opts);
  const [info] = await withLock(lockFile(layout), () => startNodes(layout, [node]));
  return info;
}

/** Per-node state, for `status`. */
export async function kafkaStatus(opts = {}) {
  const layout = kafkaLayout(opts);
  return Promise.all(layout.nodes.map(async (node) => {
    const pid = ownedPid(node.pidFile, MARKER);
    const md = await kafkaProbe(node.port).catch(() => null);
    const open = md ? true : await tcpOpen(node.port);
    return { id: node.id, port: node.port, pid, up: Boolean(md), listening: open, clusterId: md?.clusterId ?? null, brokers: md?.brokers.map((b) => b.nodeId) ?? [] };
  }));
}

/** Every cluster this script has state for under .cache/kafka, as kafkaLayout() options. */
export function knownKafkaClusters() {
  if (!fs.existsSync(KAFKA_DIR)) return [];
  return fs.readdirSync(KAFKA_DIR).flatMap((d) => {
    const m = /^cluster-(\d+)(?:x(\d+))?$/.exec(d);
    return m ? [{ kafkaPort: Number(m[1]), kafkaBrokers: Number(m[2] ?? 1) }] : [];
  });
}
