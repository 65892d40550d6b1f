// The human tables printed at the end of a run, and the goals checked against the figures.
import { fmt, table } from './bench-report.mjs';

export function summaryTables(results) {
  const by = (bench) => results.filter((r) => r.bench === bench && r.scenario !== 'error');
  const out = [];
  const machine = results.find((r) => r.bench === 'machine');
  if (machine) out.push(`\nmachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, Kafka ${machine.kafka}, Redis ${machine.redis}, load ${machine.loadAvg1m} at start; ${machine.profile} run`);

  const pipeline = by('pipeline-throughput');
  if (pipeline.length) {
    const rows = [['scenario', 'ticks/s', 'detail', 'bound']];
    for (const r of pipeline) {
      if (r.scenario.startsWith('baseline: bare')) rows.push([r.scenario, fmt.int(r.ticksPerSec), `produced ${fmt.int(r.producedPerSec)}/s, consumed ${fmt.int(r.consumedPerSec)}/s`, r.bound]);
      else if (r.scenario.startsWith('baseline: redis')) {
        rows.push([r.scenario, fmt.int(r.setPlusPublishPerSec), `SET ${fmt.int(r.setPerSec)}/s, PUBLISH ${fmt.int(r.publishPerSec)}/s; pipelined x32: SET+PUBLISH ${fmt.int(r.setPlusPublishPipelinedPerSec)}/s`, '']);
      } else {
        rows.push([
          r.scenario,
          fmt.int(r.ticksPerSec),
          `${r.sustained ? 'sustained' : 'NOT sustained'} ${r.holdSec} s at ${fmt.int(r.offeredPerSec)}/s offered, lag ${r.lagStart} -> ${r.lagEnd}; ${fmt.pct(r.ratioToBareKafka)} of bare kafkajs (${fmt.int(r.bareKafkaPerSec)}/s, the higher baseline)`,
          r.bound,
        ]);
      }
    }
    out.push(table('1. pipeline throughput', rows));
  }

  const latency = by('e2e-latency').filter((r) => !r.baseline);
  const bareLatency = by('e2e-latency').find((r) => r.baseline);
  if (latency.length) {
    const rows = [['clients', 'rate', 'ticks/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'updates/s', 'delivered', 'conflated', 'closed', 'bound']];
    if (bareLatency) rows.push(['bare kafkajs', '1x', '240', fmt.ms(bareLatency.latencyMs.p50), fmt.ms(bareLatency.latencyMs.p99), fmt.ms(bareLatency.latencyMs.p999), fmt.ms(bareLatency.latencyMs.max), '', '', '', '', '']);
    for (const r of latency) {
      rows.push([r.clients, `${r.multiplier}x`, fmt.int(r.ratePerSec), fmt.ms(r.latencyMs.p50), fmt.ms(r.latencyMs.p99), fmt.ms(r.latencyMs.p999), fmt.ms(r.latencyMs.max), fmt.int(r.updatesPerSec), fmt.pct(r.deliveredShare), fmt.int(r.conflated), fmt.int(r.slowClientsClosed), r.bound]);
    }
    out.push(table('2. end-to-end latency (tick timestamp -> WebSocket client)', rows));
    const hops = [['clients', 'rate', '-> Kafka consumer p50/p99', '-> Redis pub/sub p50/p99', '-> client p50/p99', 'processor hop p50/p99', 'gateway hop p50/p99']];
    const pair = (h) => (h ? `${fmt.ms(h.p50)} / ${fmt.ms(h.p99)}` : '');
    const diff = (a, b) => (a && b ? `${fmt.ms(b.p50 - a.p50)} / ${fmt.ms(b.p99 - a.p99)}` : '');
    for (const r of latency.filter((x) => x.hopsMs)) {
      const { toKafkaConsumer: k, toRedisPubSub: p, toClient: c } = r.hopsMs;
      hops.push([r.clients, `${r.multiplier}x`, pair(k), pair(p), pair(c), diff(k, p), diff(p, c)]);
    }
    if (hops.length > 1) out.push(table('2b. per hop (from the tick timestamp; hop = difference of percentiles, an estimate)', hops));
  }

  for (const r of by('trace')) {
    const rows = [['stage (age since the tick timestamp)', 'p50 ms', 'p99 ms', 'n']];
    for (const [stage, f] of Object.entries(r.stagesMs)) rows.push([stage, fmt.ms(f.p50), fmt.ms(f.p99), fmt.int(f.n)]);
    out.push(table(`2c. trace: ${r.scenario}`, rows));
  }

  const fanout = by('fan-out');
  if (fanout.length) {
    const rows = [['clients', 'server', 'peak updates/s', 'kept up to/s', 'p99 ms at peak', 'gateway / this', 'bound at peak']];
    for (const r of fanout) rows.push([r.clients, r.server, fmt.int(r.peakUpdatesPerSec), fmt.int(r.keptUpToPerSec), fmt.ms(r.peakLatencyMs?.p99), r.gatewayRatio === undefined ? '' : fmt.pct(r.gatewayRatio), r.bound]);
    out.push(table('3. fan-out', rows));
  }

  const footprint = by('footprint');
  const rssRows = [['scenario', 'generator MiB', 'processor MiB', 'gateway MiB']];
  for (const r of results) {
    const p = r.cpu?.processes;
    if (!p || !(p.generator || p.processor || p.gateway)) continue;
    rssRows.push([`${r.bench}: ${r.scenario}`, p.generator?.rssMaxMiB ?? '', p.processor?.rssMaxMiB ?? '', p.gateway?.rssMaxMiB ?? '']);
  }
  if (footprint.length || rssRows.length > 1) {
    const lines = footprint.map((r) => `gateway per idle connection (${r.clients} clients): ${r.rssKiBPerConnection} KiB RSS, ${r.heapUsedKiBPerConnection} KiB V8 heap (RSS ${r.rssBeforeMiB} -> ${r.rssAfterMiB} MiB)` +
      (r.rawWsRssKiBPerConnection === undefined ? '' : `; raw ws server ${r.rawWsRssKiBPerConnection} KiB RSS (${r.rawWsRssBeforeMiB} -> ${r.rawWsRssAfterMiB} MiB); gateway / raw ${r.ratioToRawWs}x`) +
      (r.ratioToRawWsNoGc === undefined ? '' : `; each read after a full GC. Without it: gateway ${r.rssKiBPerConnectionNoGc} KiB, raw ws ${r.rawWsRssKiBPerConnectionNoGc} KiB, ${r.ratioToRawWsNoGc}x`));
    out.push(`\n4. footprint\n${lines.join('\n')}${rssRows.length > 1 ? table('peak RSS of each app under the loads above', rssRows) : ''}`);
  }

  const scale = by('scale-out');
  if (scale.length) {
    const rows = [['scenario', 'figure', 'ratio', 'per core', 'Redis per tick', 'bound']];
    for (const r of scale) {
      if (r.gatewayCpuUsPerMessage !== undefined) {
        rows.push([r.scenario, `${fmt.int(r.publishedPerSec)} quotes/s, ${fmt.pct(r.deliveredShare)} delivered`, '', `gateway ${r.gatewayCpuUsPerMessage} us, Redis ${r.redisCpuUsPerMessage} us per message`, '', r.bound]);
      } else if (r.processors) {
        rows.push([
          r.scenario,
          `${fmt.int(r.ticksPerSec)} ticks/s`,
          r.ratioToOneProcessor === undefined ? '' : `${r.ratioToOneProcessor} x one`,
          `${fmt.int(r.ticksPerProcessorCore)} ticks/s per processor core`,
          `${r.redisCommandsPerTick} commands, ${r.scriptCallsPerTick} script calls, ${r.redisCpuUsPerTick} us CPU`,
          r.bound,
        ]);
      } else {
        const cpu = Object.entries(r.serverCpuPctAtPeak ?? {}).map(([name, pct]) => `${name} ${pct} %`).join(', ');
        rows.push([r.scenario, `${fmt.int(r.peakUpdatesPerSec)} updates/s peak`, r.ratioToOneGateway === undefined ? '' : `${r.ratioToOneGateway} x one`, cpu, '', r.bound]);
      }
    }
    out.push(table('5. scale-out (two processes on two cores: the ratio is the cost of running two, not a speed-up)', rows));
  }

  const behind = by('behind');
  if (behind.length) {
    const rows = [['server', 'ticks/s', 'at latest +1 s', '+2 s', '+5 s', 'pub/sub cut', 'peak omem MiB', 'peak clients behind', 'client conflated', 'closed', 'delivered', 'peak RSS MiB', 'bound']];
    for (const r of behind) {
      const at = (key) => (r.atLatest[key] === undefined ? '' : `${fmt.int(r.atLatest[key])} / ${fmt.int(r.pairs)}`);
      rows.push([r.server, fmt.int(r.ratePerSec), at('1s'), at('2s'), at('5s'), r.pubsubDisconnects, r.peakOutputBufferMiB, fmt.int(r.clientsBehindPeak), fmt.int(r.updatesConflated), fmt.int(r.slowClientsClosed), fmt.pct(r.deliveredShare), r.peakRssMiB, r.bound]);
    }
    out.push(table('6. falling behind: (client, symbol) pairs holding the stored seq after the last publish', rows));
  }

  const goals = goalRows(results);
  if (goals.length) out.push(table('goals', [['goal', 'measured', 'met'], ...goals]));
  return out.join('\n');
}

function goalRows(results) {
  const rows = [];
  const pipeline = results.find((r) => r.bench === 'pipeline-throughput' && r.scenario.startsWith('pipeline'));
  if (pipeline) {
    rows.push(['pipeline >= 80 % of bare kafkajs produce+consume', fmt.pct(pipeline.ratioToBareKafka), pipeline.ratioToBareKafka >= 0.8]);
    rows.push(['pipeline >= 20,000 ticks/s', fmt.int(pipeline.ticksPerSec), pipeline.ticksPerSec >= 20_000]);
  }
  const lat = (clients, multiplier) => results.find((r) => r.bench === 'e2e-latency' && r.clients === clients && r.multiplier === multiplier);
  const bare = results.find((r) => r.bench === 'e2e-latency' && r.baseline);
  const default100 = lat(100, 1);
  if (bare && default100) {
    const limit = bare.latencyMs.p99 + 3;
    rows.push([`p99 <= bare kafkajs p99 + 3 ms (${fmt.ms(limit)}), 100 clients, 1x`, `${fmt.ms(default100.latencyMs.p99)} ms`, default100.latencyMs.p99 <= limit]);
  }
  for (const [clients, multiplier, limit] of [[100, 1, 10], [1000, 1, 25], [1000, 10, 100]]) {
    const r = lat(clients, multiplier);
    if (r) rows.push([`p99 < ${limit} ms, ${clients} clients x 10 symbols, ${multiplier}x rate`, `${fmt.ms(r.latencyMs.p99)} ms`, r.latencyMs.p99 < limit]);
  }
  for (const r of results.filter((x) => x.bench === 'fan-out' && x.server === 'raw-ws' && x.gatewayRatio !== undefined)) {
    rows.push([`fan-out >= 80 % of raw ws broadcast, ${r.clients} clients`, fmt.pct(r.gatewayRatio), r.gatewayRatio >= 0.8]);
  }
  const footprint = results.find((r) => r.bench === 'footprint');
  if (footprint) rows.push(['< 50 KiB gateway memory per idle connection', `${footprint.rssKiBPerConnection} KiB`, footprint.rssKiBPerConnection < 50]);
  if (footprint?.ratioToRawWs) rows.push(['memory per idle connection <= 1.2x a raw ws server', `${footprint.ratioToRawWs}x`, footprint.ratioToRawWs <= 1.2]);
  for (const r of results.filter((x) => x.bench === 'behind' && x.server === 'gateway')) {
    rows.push([`every client at each symbol's latest seq 1 s after the last publish, ${r.clients} clients, ${r.multiplier}x`, `${fmt.int(r.atLatest1s)} / ${fmt.int(r.pairs)} pairs`, r.atLatest1s === r.pairs]);
    rows.push([`zero pub/sub disconnects, ${r.clients} clients, ${r.multiplier}x`, `${r.pubsubDisconnects} (peak output buffer ${r.peakOutputBufferMiB} MiB)`, r.pubsubDisconnects === 0]);
  }
  return rows.map(([goal, measured, met]) => [goal, measured, met ? 'yes' : 'NO']);
}
