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

  const latency = by('e2e-latency');
  if (latency.length) {
    const rows = [['clients', 'rate', 'ticks/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'updates/s', 'delivered', 'conflated', 'closed', 'bound']];
    for (const r of latency) {
      rows.push([r.clients, `${r.multiplier}x`, fmt.int(r.ratePerSec), fmt.ms(r.latencyMs.p50), fmt.ms(r.latencyMs.p99), fmt.ms(r.latencyMs.p999), fmt.ms(r.latencyMs.max), fmt.int(r.updatesPerSec), fmt.pct(r.deliveredShare), fmt.int(r.conflated), fmt.int(r.slowClientsClosed), r.bound]);
    }
    out.push(table('2. end-to-end latency (tick timestamp -> WebSocket client)', rows));
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
    const lines = footprint.map((r) => `gateway per idle connection (${r.clients} clients): ${r.rssKiBPerConnection} KiB RSS, ${r.heapUsedKiBPerConnection} KiB V8 heap (RSS ${r.rssBeforeMiB} -> ${r.rssAfterMiB} MiB)`);
    out.push(`\n4. footprint\n${lines.join('\n')}${rssRows.length > 1 ? table('peak RSS of each app under the loads above', rssRows) : ''}`);
  }

  const goals = goalRows(results);
  if (goals.length) out.push(table('goals', [['goal', 'measured', 'met'], ...goals]));
  return out.join('\n');
}

function goalRows(results) {
  const rows = [];
  const pipeline = results.find((r) => r.bench === 'pipeline-throughput' && r.scenario.startsWith('pipeline'));
  if (pipeline) {
    rows.push(['pipeline >= 50 % of bare kafkajs produce+consume', fmt.pct(pipeline.ratioToBareKafka), pipeline.ratioToBareKafka >= 0.5]);
    rows.push(['pipeline >= 20,000 ticks/s', fmt.int(pipeline.ticksPerSec), pipeline.ticksPerSec >= 20_000]);
  }
  const lat = (clients, multiplier) => results.find((r) => r.bench === 'e2e-latency' && r.clients === clients && r.multiplier === multiplier);
  for (const [clients, multiplier, limit] of [[100, 1, 10], [1000, 1, 50], [1000, 10, 100]]) {
    const r = lat(clients, multiplier);
    if (r) rows.push([`p99 < ${limit} ms, ${clients} clients x 10 symbols, ${multiplier}x rate`, `${fmt.ms(r.latencyMs.p99)} ms`, r.latencyMs.p99 < limit]);
  }
  for (const r of results.filter((x) => x.bench === 'fan-out' && x.server === 'raw-ws' && x.gatewayRatio !== undefined)) {
    rows.push([`fan-out >= 80 % of raw ws broadcast, ${r.clients} clients`, fmt.pct(r.gatewayRatio), r.gatewayRatio >= 0.8]);
  }
  const footprint = results.find((r) => r.bench === 'footprint');
  if (footprint) rows.push(['< 50 KiB gateway memory per idle connection', `${footprint.rssKiBPerConnection} KiB`, footprint.rssKiBPerConnection < 50]);
  return rows.map(([goal, measured, met]) => [goal, measured, met ? 'yes' : 'NO']);
}
