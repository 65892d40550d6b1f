// Command-line options of `npm run bench` and the two profiles: --quick, a smoke check of every
// benchmark in about two minutes, and the full run (about 15 minutes) whose figures BENCHMARKS.md quotes.

export const BENCHES = ['pipeline', 'latency', 'trace', 'fanout', 'footprint', 'scaleout', 'behind'];
/** Run only when named with --only: `rebuild` writes an hour of ticks to the broker, `c100k` takes the whole machine. */
export const EXTRA_BENCHES = ['rebuild', 'c100k'];

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
  rebuild: { minutes: 60 },
  c100k: { clients: 100_000, holdSec: 300 },
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
  rebuild: { minutes: 5 },
  c100k: { clients: 5000, holdSec: 20 },
};

export function parseOptions(argv = process.argv.slice(2)) {
  const flag = (name) => argv.includes(`--${name}`);
  const value = (name) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit?.slice(name.length + 3);
  };
  if (flag('help')) {
    console.log(`usage: npm run bench -- [--quick] [--only=${[...BENCHES, ...EXTRA_BENCHES].join(',')}] [--profile] [--no-build]
  --quick     every benchmark, shorter and smaller (~2 min): a smoke check, not figures to quote
  --only=     run some of the benchmarks
  --profile   write V8 CPU profiles of the apps to bench/profiles/ (summarise: node bench/profile-summary.mjs FILE)
  --no-build  skip the incremental tsc build and use dist/ as it is
  --summarize=FILE  print the tables and goals of an earlier run's bench/results/*.jsonl, run nothing
  --against=REV     A/B: build REV (git archive into a temp dir) and alternate runs of the selected
                    benchmarks between this tree and REV; medians with min-max per figure, and the ratio
  --pairs=N         A/B pairs (default 3, at least 1)
  --clients=N[,N]   latency and trace: only these client counts (e.g. 100)
  --rates=N[,N]     latency: only these multiples of the default rate (e.g. 1)
  c100k (only with --only=c100k): --c100k-clients=N (default 100000; --quick 5000), --c100k-workers=N
              (default: one per 19,000 clients), --c100k-hold=SEC (default 300; --quick 20)`);
    process.exit(0);
  }
  const only = value('only')?.split(',').map((s) => s.trim()) ?? BENCHES;
  const unknown = only.filter((b) => !BENCHES.includes(b) && !EXTRA_BENCHES.includes(b));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; choose from ${[...BENCHES, ...EXTRA_BENCHES].join(', ')}`);
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
  const whole = (name, fallback, max) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    if (!/^[1-9][0-9]*$/.test(raw) || Number(raw) > max) throw new Error(`--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const c100k = {
    clients: whole('c100k-clients', profile.c100k.clients, 200_000),
    workers: value('c100k-workers') === undefined ? undefined : whole('c100k-workers', 1, 64),
    holdSec: whole('c100k-hold', profile.c100k.holdSec, 3600),
  };
  // The climb (at 1,000/s at worst), the hold and the stop, on top of the usual deadline.
  const deadlineMs = only.includes('c100k') ? profile.deadlineMs + (c100k.clients / 1000 + c100k.holdSec) * 1000 + 10 * 60_000 : profile.deadlineMs;
  return {
    ...profile,
    c100k,
    deadlineMs,
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
