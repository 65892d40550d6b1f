// A real Redis Cluster on 127.0.0.1: three masters with a replica each, six daemonized redis-server in
// cluster mode, joined with `redis-cli --cluster create`. State under .cache/redis-cluster-<port>/.
//
// Node i (0..5) listens on port + i and speaks the cluster bus on port + 6 + i (not Redis's default of
// port + 10000, which for the test ports would fall in Linux's ephemeral range), so a cluster needs
// twelve consecutive free ports. Which three become masters is redis-cli's choice; CLUSTER NODES says.
//
// Settings chosen for a cluster that fails over fast and keeps serving while it does:
//   cluster-node-timeout 2000          a master silent for 2 s is failed, and its replica promoted
//   cluster-require-full-coverage no   the other shards keep serving while one has no master
//   cluster-replica-validity-factor 0  a replica always may take over, however long it was cut off
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, ROOT, fail, log, mkdirp, ownedPid, run, stopPid, tail, withLock } from './common.mjs';
import { REDIS_PERSISTENCE, redisServerBin } from './redis.mjs';
import { redisPing, tcpOpen, waitFor, waitPortsClosed } from './wait.mjs';

const MARKER = 'redis-server';
export const CLUSTER_SIZE = 6;
const NODE_TIMEOUT_MS = 2000;

export function redisClusterLayout({ redisClusterPort = 7001 } = {}) {
  const port = Number(redisClusterPort);
  if (!Number.isInteger(port) || port < 1024 || port + 2 * CLUSTER_SIZE > 65_535) fail(`bad --redis-cluster-port ${redisClusterPort}`);
  const dir = path.join(CACHE, `redis-cluster-${port}`);
  const nodes = Array.from({ length: CLUSTER_SIZE }, (_, i) => {
    const nodeDir = path.join(dir, `node-${port + i}`);
    return { port: port + i, busPort: port + CLUSTER_SIZE + i, dir: nodeDir, pidFile: path.join(nodeDir, 'redis.pid'), logFile: path.join(nodeDir, 'redis.log') };
  });
  return { port, dir, nodes, nodeList: nodes.map((n) => `127.0.0.1:${n.port}`).join(',') };
}

/** `redis-cli -p <port> <args>` -> its output; throws with what it said when it fails. */
function cli(port, args, timeout = 10_000) {
  const r = run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout });
  if (!r.ok) fail(`redis-cli -p ${port} ${args.join(' ')} failed: ${(r.stderr + r.stdout).trim()}`);
  return r.stdout;
}

/** `cluster_state`, `cluster_known_nodes`, ... of CLUSTER INFO, or null when the node does not answer. */
function clusterInfo(port) {
  try {
    return Object.fromEntries(cli(port, ['cluster', 'info'], 3000).trim().split(/\r?\n/).map((line) => line.trim().split(':')));
  } catch {
    return null;
  }
}

/** CLUSTER NODES as [{ id, port, role: 'master'|'replica', masterId, failed, slots }]. */
export function clusterNodes(port) {
  return cli(port, ['cluster', 'nodes'], 3000).trim().split(/\r?\n/).map((line) => {
    const [id, address, flags, masterId, , , , , ...slots] = line.trim().split(' ');
    const list = flags.split(',');
    return {
      id,
      port: Number(address.split('@')[0].split(':').pop()),
      role: list.includes('master') ? 'master' : 'replica',
      masterId: masterId === '-' ? null : masterId,
      failed: list.includes('fail') || list.includes('fail?'),
      slots,
    };
  });
}

/** True when every node answers, agrees the cluster is ok, knows all six nodes, and every replica is in sync. */
function healthy(l) {
  for (const node of l.nodes) {
    const info = clusterInfo(node.port);
    if (!info || info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== CLUSTER_SIZE) return false;
  }
  const nodes = clusterNodes(l.nodes[0].port);
  if (nodes.filter((n) => n.role === 'master' && n.slots.length > 0).length !== CLUSTER_SIZE / 2) return false;
  return nodes.filter((n) => n.role === 'replica').every((n) => /master_link_status:up/.test(cli(n.port, ['info', 'replication'], 3000)));
}

/** Start (or reuse) the six nodes and join them into a cluster. Resolves { port, nodes, reused }. */
export async function startRedisCluster(opts = {}) {
  const l = redisClusterLayout(opts);
  return withLock(path.join(l.dir, '.lock'), () => start(l));
}

async function start(l) {
  const answering = await Promise.all(l.nodes.map((n) => redisPing(n.port)));
  if (answering.every(Boolean) && healthy(l)) {
    log(`Redis Cluster on 127.0.0.1:${l.port}-${l.port + CLUSTER_SIZE - 1} already running, reusing it`);
    return { port: l.port, nodes: l.nodeList, reused: true };
  }
  if (answering.some(Boolean)) fail(`some of 127.0.0.1:${l.port}-${l.port + CLUSTER_SIZE - 1} answer Redis but not as a healthy cluster; \`down --redis-cluster\` first`);
  for (const n of l.nodes) if ((await tcpOpen(n.port)) || (await tcpOpen(n.busPort))) fail(`127.0.0.1:${(await tcpOpen(n.port)) ? n.port : n.busPort} is in use`);
  const bin = redisServerBin();
  const t0 = Date.now();
  for (const n of l.nodes) {
    fs.rmSync(n.dir, { recursive: true, force: true }); // a nodes.conf from an earlier run would not fit
    mkdirp(n.dir);
    const r = run(bin, [
      '--port', String(n.port), '--bind', '127.0.0.1', ...REDIS_PERSISTENCE,
      '--cluster-enabled', 'yes', '--cluster-config-file', path.join(n.dir, 'nodes.conf'), '--cluster-port', String(n.busPort),
      '--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--cluster-require-full-coverage', 'no', '--cluster-replica-validity-factor', '0',
      '--daemonize', 'yes', '--pidfile', n.pidFile, '--logfile', n.logFile, '--dir', n.dir,
    ], { timeout: 15_000 });
    if (!r.ok) fail(`redis-server on ${n.port} failed to start (exit ${r.code}): ${(r.stderr + r.stdout).trim()}\n${tail(n.logFile, 20)}`);
  }
  for (const n of l.nodes) {
    await waitFor(async () => (await redisPing(n.port)) === '+PONG', { timeoutMs: 20_000, intervalMs: 100, what: `Redis PING on 127.0.0.1:${n.port}` })
      .catch((e) => fail(`${e.message}\n--- last lines of ${path.relative(ROOT, n.logFile)} ---\n${tail(n.logFile, 20)}`));
  }
  log(`redis-cli --cluster create ${l.nodes.map((n) => `127.0.0.1:${n.port}`).join(' ')} --cluster-replicas 1`);
  const created = run('redis-cli', ['--cluster', 'create', ...l.nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 });
  if (!created.ok) fail(`redis-cli --cluster create failed:\n${(created.stderr + created.stdout).trim().split('\n').slice(-15).join('\n')}`);
  await waitFor(async () => healthy(l), { timeoutMs: 60_000, intervalMs: 300, what: 'the Redis Cluster to be ok on every node, each replica in sync' })
    .catch((e) => fail(e.message));
  const masters = clusterNodes(l.nodes[0].port).filter((n) => n.role === 'master').map((n) => n.port);
  log(`Redis Cluster on 127.0.0.1:${l.port}-${l.port + CLUSTER_SIZE - 1} started in ${((Date.now() - t0) / 1000).toFixed(1)}s (masters ${masters.join(', ')})`);
  return { port: l.port, nodes: l.nodeList, reused: false };
}

/** Stop one node (SIGKILL: a crash) if we started it; resolves true if it was ours and is gone. */
export async function stopRedisClusterNode(port, opts = {}) {
  const l = redisClusterLayout(opts);
  const node = l.nodes.find((n) => n.port === Number(port)) ?? fail(`${port} is not a node of the cluster on ${l.port}`);
  const pid = ownedPid(node.pidFile, MARKER);
  if (!pid) return false;
  if (!(await stopPid(pid, { signal: opts.signal ?? 'SIGTERM' }))) fail(`could not stop Redis node ${port} (pid ${pid})`);
  await waitPortsClosed([node.port, node.busPort]);
  log(`Redis Cluster node 127.0.0.1:${port} stopped (pid ${pid}${opts.signal ? `, ${opts.signal}` : ''})`);
  return true;
}

/** Stop every node this script started and remove the cluster's state. */
export async function stopRedisCluster(opts = {}) {
  const l = redisClusterLayout(opts);
  return withLock(path.join(l.dir, '.lock'), async () => {
    let stopped = 0;
    for (const n of l.nodes) {
      const pid = ownedPid(n.pidFile, MARKER);
      if (!pid) continue;
      if (!(await stopPid(pid))) fail(`could not stop Redis node ${n.port} (pid ${pid})`);
      stopped++;
    }
    await waitPortsClosed(l.nodes.flatMap((n) => [n.port, n.busPort]));
    for (const n of l.nodes) fs.rmSync(n.dir, { recursive: true, force: true });
    log(stopped ? `Redis Cluster on 127.0.0.1:${l.port} stopped (${stopped} nodes) and its state removed` : `Redis Cluster on 127.0.0.1:${l.port} not running`);
    return stopped > 0;
  }).finally(() => fs.rmSync(l.dir, { recursive: true, force: true }));
}

export async function redisClusterStatus(opts = {}) {
  const l = redisClusterLayout(opts);
  const nodes = [];
  for (const n of l.nodes) {
    const info = clusterInfo(n.port);
    nodes.push({ port: n.port, pid: ownedPid(n.pidFile, MARKER), up: info !== null, state: info?.cluster_state ?? null });
  }
  let roles = [];
  const answering = nodes.find((n) => n.up);
  if (answering) roles = clusterNodes(answering.port);
  return { port: l.port, nodes: nodes.map((n) => ({ ...n, role: roles.find((r) => r.port === n.port)?.role ?? null })) };
}

/** First ports of every Redis Cluster this script has state for under .cache. */
export function knownRedisClusters() {
  if (!fs.existsSync(CACHE)) return [];
  return fs.readdirSync(CACHE).flatMap((d) => {
    const m = /^redis-cluster-(\d+)$/.exec(d);
    return m ? [Number(m[1])] : [];
  });
}
