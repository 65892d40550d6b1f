#!/usr/bin/env node
// Local infrastructure for Stock Watchlist: a REAL Apache Kafka (KRaft) broker and a REAL Redis.
// Plain Node (builtins only) so it runs before `npm install`. See usage() below.
//
//   node scripts/infra.mjs up        # Kafka 127.0.0.1:9092 + Redis 127.0.0.1:6379
//   node scripts/infra.mjs up --kafka-brokers 3 --redis-cluster   # the scaled topology's infrastructure
//   node scripts/infra.mjs status
//   node scripts/infra.mjs down
//
// Import from other .mjs scripts / test setup:
//   import { up, down, startKafka, stopKafkaBroker } from './scripts/infra.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError, log, setQuiet } from './infra/common.mjs';
import { dockerDown, dockerPs, dockerUp, infraMode } from './infra/docker.mjs';
import {
  kafkaLayout, kafkaStatus, kafkaTool, knownKafkaClusters, startKafka, startKafkaBroker, stopKafka, stopKafkaBroker,
} from './infra/kafka.mjs';
import { knownRedisPorts, redisStatus, startRedis, stopRedis } from './infra/redis.mjs';
import {
  clusterNodes, knownRedisClusters, redisClusterStatus, startRedisCluster, stopRedisCluster, stopRedisClusterNode,
} from './infra/redis-cluster.mjs';

export { startKafka, stopKafka, startKafkaBroker, stopKafkaBroker, kafkaTool, startRedis, stopRedis, setQuiet };
export { startRedisCluster, stopRedisCluster, stopRedisClusterNode, clusterNodes };

/**
 * Options (all optional), shared by every exported function:
 *   kafkaPort     single node: broker port (9092; controller = port + 1).
 *                 N nodes: first broker port (19092); node i: port + 2(i-1), controller + 1.
 *   kafkaBrokers  number of combined broker+controller nodes (1; 3 for fault-tolerance tests).
 *   redisPort     6379.
 *   redisCluster  true: a Redis Cluster (three masters, a replica each) instead of the single Redis.
 *   redisClusterPort  first node's port (7001); node i: port + i, its cluster bus port + 6 + i.
 *   only          'kafka' | 'redis' to handle just one of them.
 *   signal        stopKafkaBroker(): 'SIGTERM' (clean, default) or 'SIGKILL' (crash).
 */

/** The default topology, the one docker-compose.yml's default services provide. */
const isDefaultTopology = (opts) => Number(opts.kafkaBrokers ?? 1) === 1 && !opts.kafkaPort && !opts.redisPort && !opts.redisCluster;

/**
 * Bring everything up. Resolves { mode, kafka?: { bootstrapServers, nodes }, redis?: { port, url, pid, reused },
 * redisCluster?: { port, nodes (REDIS_CLUSTER_NODES), reused } }.
 */
export async function up(opts = {}) {
  if (opts.quiet !== undefined) setQuiet(opts.quiet);
  const mode = infraMode();
  if (mode === 'docker' && isDefaultTopology(opts)) {
    try {
      return { mode, ...(await dockerUp(opts)) };
    } catch (err) {
      // An engine that cannot pull the images (no registry) must not stop a developer: run them locally.
      if (process.env.INFRA_MODE === 'docker' || !(err instanceof InfraError)) throw err;
      log(`docker compose could not bring them up (${err.message}); using local processes instead`);
      return localUp(opts);
    }
  }
  if (mode === 'docker') {
    if (process.env.INFRA_MODE === 'docker') {
      throw new InfraError('docker mode supports only the default single broker on 9092 and Redis on 6379 (for the cluster: docker compose --profile cluster up)');
    }
    log('custom ports / several brokers / a Redis Cluster requested: using local processes instead of docker');
  } else {
    log('local mode (no Docker engine with compose, or INFRA_MODE=local)');
  }
  return localUp(opts);
}

async function localUp(opts) {
  const result = { mode: 'local' };
  if (opts.only !== 'kafka' && opts.redisCluster) result.redisCluster = await startRedisCluster(opts);
  else if (opts.only !== 'kafka') result.redis = await startRedis(opts);
  if (opts.only !== 'redis') result.kafka = await startKafka(opts);
  return result;
}

/**
 * Stop what `up` started (with `all: true`: everything this script has pid files for). `mode` is the
 * one `up` answered with: a Docker engine started in between must not turn a local `down` into compose.
 */
export async function down(opts = {}) {
  if (opts.quiet !== undefined) setQuiet(opts.quiet);
  if ((opts.mode ?? infraMode()) === 'docker' && !opts.all && isDefaultTopology(opts)) {
    dockerDown();
    // Fall through: also stop local processes on the default ports if our pid files say we started them.
  }
  const clusters = opts.all ? knownKafkaClusters() : [opts];
  const redisPorts = opts.all ? knownRedisPorts() : opts.redisCluster ? [] : [opts.redisPort ?? 6379];
  const redisClusters = opts.all ? knownRedisClusters() : opts.redisCluster ? [opts.redisClusterPort ?? 7001] : [];
  if (opts.only !== 'redis') for (const c of clusters) await stopKafka({ ...c, signal: undefined });
  if (opts.only !== 'kafka') for (const p of redisPorts) await stopRedis({ redisPort: p });
  if (opts.only !== 'kafka') for (const p of redisClusters) await stopRedisCluster({ redisClusterPort: p });
}

/** Print (and resolve) the state of the requested Kafka/Redis plus any other instance we manage. */
export async function status(opts = {}) {
  if (opts.quiet !== undefined) setQuiet(opts.quiet);
  const mode = infraMode();
  log(`mode: ${mode}`);
  if (mode === 'docker') log(`docker compose ps:\n${dockerPs()}`);
  const key = (o) => kafkaLayout(o).clusterDir;
  const clusters = [opts, ...knownKafkaClusters()].filter((c, i, all) => all.findIndex((d) => key(d) === key(c)) === i);
  const redisPorts = [...new Set([Number(opts.redisPort ?? 6379), ...knownRedisPorts()])];
  const result = { mode, kafka: [], redis: [], redisCluster: [] };
  for (const c of opts.only === 'redis' ? [] : clusters) {
    const nodes = await kafkaStatus(c);
    const l = kafkaLayout(c);
    if (c !== opts && !nodes.some((n) => n.pid || n.up)) continue; // idle state dirs: not interesting
    result.kafka.push({ bootstrapServers: l.bootstrapServers, nodes });
    for (const n of nodes) {
      const state = n.up ? `UP, cluster ${n.clusterId}, brokers [${n.brokers.join(',')}]` : n.listening ? 'port open but not serving Kafka' : 'down';
      log(`kafka ${l.count > 1 ? `node ${n.id} ` : ''}127.0.0.1:${n.port}: ${state}${n.pid ? ` (pid ${n.pid}, ours)` : n.up ? ' (not ours)' : ''}`);
    }
  }
  for (const port of opts.only === 'kafka' ? [] : redisPorts) {
    const r = await redisStatus({ redisPort: port });
    if (port !== Number(opts.redisPort ?? 6379) && !r.pid && !r.up) continue;
    result.redis.push(r);
    const state = r.up ? 'UP' : r.reply ? `answers "${r.reply}"` : 'down';
    log(`redis 127.0.0.1:${port}: ${state}${r.pid ? ` (pid ${r.pid}, ours)` : r.up ? ' (not ours)' : ''}`);
  }
  const clusterPorts = [...new Set([...(opts.redisCluster ? [Number(opts.redisClusterPort ?? 7001)] : []), ...knownRedisClusters()])];
  for (const port of opts.only === 'kafka' ? [] : clusterPorts) {
    const c = await redisClusterStatus({ redisClusterPort: port });
    result.redisCluster.push(c);
    for (const n of c.nodes) {
      log(`redis cluster node 127.0.0.1:${n.port}: ${n.up ? `UP, ${n.role}, cluster ${n.state}` : 'down'}${n.pid ? ` (pid ${n.pid}, ours)` : ''}`);
    }
  }
  return result;
}

// ---- CLI -----------------------------------------------------------------------------------------

function usage() {
  return `Usage: node scripts/infra.mjs <command> [options]

Commands:
  up                        start Kafka (KRaft) + Redis on 127.0.0.1, reusing anything already answering
  down                      stop what this script started (never touches services it did not start)
  status                    show what is up
  kafka-stop-broker <id>    stop one node of the multi-broker cluster (defaults to --kafka-brokers 3)
  kafka-start-broker <id>   start that node again and wait until it serves requests

Options:
  --kafka-port <n>     single node: broker port (default 9092, controller on n+1)
                       several nodes: first port (default 19092); node i uses n+2(i-1), controller +1
  --kafka-brokers <n>  1 (default) or 3 (replication factor 3, min.insync.replicas 2)
  --redis-port <n>     default 6379
  --redis-cluster      a Redis Cluster instead of the single Redis: three masters with a replica each
                       (REDIS_CLUSTER_NODES=127.0.0.1:7001,...,127.0.0.1:7006 for the apps)
  --redis-cluster-port <n>  first node's port (default 7001); node i: n+i, its cluster bus n+6+i
  --only kafka|redis   handle just one of the two
  --all                down: stop every Kafka/Redis this script has pid files for
  --kill               kafka-stop-broker: SIGKILL (crash) instead of a clean shutdown
  --quiet              no [infra] progress lines

Environment:
  INFRA_MODE=docker|local   force a mode; default: docker if \`docker info\` answers, else local processes
  JAVA_HOME                 Java 17+ used for Kafka (else \`java\` on PATH)

State lives in .cache/ (git-ignored): .cache/kafka/libs (jars), .cache/kafka/cluster-<port>[x<n>]/node-<id>/
(server.properties, data/, kafka.pid, kafka.log), .cache/redis-<port>/ (redis.pid, redis.log),
.cache/redis-cluster-<port>/node-<port>/ (nodes.conf, redis.pid, redis.log; removed by down).`;
}

export function parseArgs(argv) {
  const opts = {};
  const positional = [];
  const flags = {
    '--kafka-port': 'kafkaPort', '--kafka-brokers': 'kafkaBrokers', '--redis-port': 'redisPort', '--redis-cluster-port': 'redisClusterPort', '--only': 'only',
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s);
    if (flags[name]) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new InfraError(`${name} needs a value`);
      opts[flags[name]] = flags[name] === 'only' ? value : Number(value);
      if (flags[name] !== 'only' && !Number.isInteger(opts[flags[name]])) throw new InfraError(`${name} needs a number, got "${value}"`);
    } else if (name === '--all') opts.all = true;
    else if (name === '--kill') opts.signal = 'SIGKILL';
    else if (name === '--redis-cluster') opts.redisCluster = true;
    else if (name === '--quiet') opts.quiet = true;
    else if (name === '-h' || name === '--help') opts.help = true;
    else if (name.startsWith('-')) throw new InfraError(`unknown option ${name}\n\n${usage()}`);
    else positional.push(argv[i]);
  }
  if (opts.only && !['kafka', 'redis'].includes(opts.only)) throw new InfraError('--only must be kafka or redis');
  if (opts.redisClusterPort) opts.redisCluster = true;
  return { command: positional[0], args: positional.slice(1), opts };
}

async function main(argv) {
  const { command, args, opts } = parseArgs(argv);
  if (opts.help || !command) {
    console.log(usage());
    return opts.help ? 0 : 1;
  }
  setQuiet(opts.quiet);
  const brokerOpts = () => {
    if (!args[0]) throw new InfraError(`${command} needs a node id, e.g. ${command} 2`);
    return [args[0], opts];
  };
  switch (command) {
    case 'up': await up(opts); break;
    case 'down': await down(opts); break;
    case 'status': await status(opts); break;
    case 'kafka-stop-broker': await stopKafkaBroker(...brokerOpts()); break;
    case 'kafka-start-broker': await startKafkaBroker(...brokerOpts()); break;
    default: throw new InfraError(`unknown command "${command}"\n\n${usage()}`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[infra] ERROR: ${err instanceof InfraError ? err.message : err.stack ?? err}`);
      process.exit(1);
    },
  );
}
