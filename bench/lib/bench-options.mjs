// Command-line options of `npm run bench` and the two profiles: --quick, a smoke check of every
// benchmark in about two minutes, and the full run (about 15 minutes) whose figures BENCHMARKS.md quotes.

export const BENCHES = ['pipeline', 'latency', 'trace', 'fanout', 'footprint', 'scaleout', 'behind'];

const FULL = {
  name: 'full',
  deadlineMs: 25 * 60_000,
  pipeline: { baselineSec: 15, probeSec: 10, holdSec: 30, warmSec: 4, confirmSteps: 3, redisRequests: 200_000 },
  latency: { clients: [100, 1000], multipliers: [1, 10, 100], warmSec: 3, measureSec: 20 },
  trace: { clients: 100, warmSec: 3, measureSec: 20 },
  fanout: { clients: [1000, 5000], servers: ['gateway', 'raw-ws', 'raw-ws-tuned'], stepSec: 4, growth: 1.4, maxSteps: 12 },
  footprint: { clients: 5000, settleSec: 5 },
  scaleout: { backlog: 1_200_000, fillRate: 96_000, measureSec: 15, inputRate: 40_000, clients: 2000, fanout: { stepSec: 4, growth: 1.4, maxSteps: 12 } },
  behind: { clients: 1000, multiplier: 100, warmSec: 2, runSec: 20, servers: ['gateway', 'raw-ws'] },
};

const QUICK = {
  name: 'quick',
  deadlineMs: 5 * 60_000,
  pipeline: { baselineSec: 4, probeSec: 4, holdSec: 5, warmSec: 2, confirmSteps: 2, redisRequests: 30_000 },
  latency: { clients: [100, 1000], multipliers: [1, 10, 100], warmSec: 1, measureSec: 2 },
  trace: { clients: 100, warmSec: 2, measureSec: 8 },
  fanout: { clients: [1000], servers: ['gateway', 'raw-ws'], stepSec: 1.5, growth: 2.5, maxSteps: 5 },
  footprint: { clients: 1000, settleSec: 2 },
  scaleout: { backlog: 600_000, fillRate: 96_000, measureSec: 4, inputRate: 40_000, clients: 500, fanout: { stepSec: 1.5, growth: 2.5, maxSteps: 5 } },
  behind: { clients: 1000, multiplier: 100, warmSec: 1, runSec: 5, servers: ['gateway'] },
};

export function parseOptions(argv = process.argv.slice(2)) {
  const flag = (name) => argv.includes(`--${name}`);
  const value = (name) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit?.slice(name.length + 3);
  };
  if (flag('help')) {
    console.log(`usage: npm run bench -- [--quick] [--only=${BENCHES.join(',')}] [--profile] [--no-build]
  --quick     every benchmark, shorter and smaller (~2 min): a smoke check, not figures to quote
  --only=     run some of the benchmarks
  --profile   write V8 CPU profiles of the apps to bench/profiles/ (summarise: node bench/profile-summary.mjs FILE)
  --no-build  skip the incremental tsc build and use dist/ as it is
  --summarize=FILE  print the tables and goals of an earlier run's bench/results/*.jsonl, run nothing
  --against=REV     A/B: build REV (git archive into a temp dir) and alternate runs of the selected
                    benchmarks between this tree and REV; medians with min-max per figure, and the ratio
  --pairs=N         A/B pairs (default 3, at least 1)
  --clients=N[,N]   latency and trace: only these client counts (e.g. 100)
  --rates=N[,N]     latency: only these multiples of the default rate (e.g. 1)`);
    process.exit(0);
  }
  const only = value('only')?.split(',').map((s) => s.trim()) ?? BENCHES;
  const unknown = only.filter((b) => !BENCHES.includes(b));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
  const pairs = Number(value('pairs') ?? 3);
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > 50) throw new Error(`--pairs must be a whole number from 1 to 50, got ${value('pairs')}`);
  const against = value('against');
  if (against !== undefined && !/^[\w./~^@-]{1,100}$/.test(against)) throw new Error(`--against takes a git revision, got ${JSON.stringify(against)}`);
  const profile = structuredClone(flag('quick') ? QUICK : FULL);
  const list = (name) => value(name)?.split(',').map(Number);
  for (const [name, key] of [['clients', 'clients'], ['rates', 'multipliers']]) {
    const picked = list(name);
    if (!picked) continue;
    if (picked.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name} takes whole numbers, got ${value(name)}`);
    profile.latency[key] = picked;
    if (key === 'clients') profile.trace.clients = picked[0];
  }
  return {
    ...profile,
    only,
    profile: flag('profile'),
    build: !flag('no-build'),
    summarize: value('summarize'),
    against,
    pairs,
    /** Set by the A/B mode on its children: run with the apps of this dist/ snapshot, build nothing. */
    child: flag('child') ? value('root') : undefined,
    argv,
  };
}
