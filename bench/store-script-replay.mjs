// The store script's Redis time per quote, replayed: calls of 24 symbols x 21 quotes (the pipeline's
// batches at its highest rates) sent back to back to the Redis at REDIS_URL under a private prefix,
// timed by Redis itself (INFO commandstats, usec per EVALSHA). Variants, alternated over several rounds
// (Redis's figures drift and swing by a third between rounds on this VM), then the median of each:
//   current      the script as built (dist/)
//   no-publish   without the final PUBLISHes
//   no-xadd      without the history's XADD
//   replay       the script as built, as the rebuild from Kafka calls it (REPLAY:<run_id>: no PUBLISH)
//   <rev>        the script at a git revision, with --against=<rev>
// With --subscribed a connection subscribes to every channel the calls publish on, as a gateway would
// (without subscribers a PUBLISH costs Redis little; with one it writes each message to its socket).
// Usage: npm run build && node bench/store-script-replay.mjs [--against=<rev>] [--subscribed] [--calls=200] [--rounds=5]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';

const ROOT = path.resolve(import.meta.dirname, '..');
const LUA_FILE = 'apps/processor/src/quotes/store-quotes.lua.ts';
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const CALLS = Number(arg('calls') ?? 200);
const ROUNDS = Number(arg('rounds') ?? 5);
const SYMBOLS = Array.from({ length: 24 }, (_, i) => `S${String.fromCharCode(65 + i)}`);
const PER_SYMBOL = 21;
const HEADER = ['PUBLISH', 86_400_000, 1000, 3_600_000, 2, '1s', 1000, 3_600_000, '1m', 60_000, 86_400_000];

const { STORE_QUOTES_LUA: current } = await import(path.join(ROOT, 'dist', LUA_FILE.replace(/\.ts$/, '.js')));
const variants = {
  current,
  'no-publish': current.replace(/for _, p in ipairs\(publishes\) do redis\.call\(publish, p\[1\], p\[2\]\) end/, ''),
  'no-xadd': current.replace(/redis\.call\('XADD'[^\n]*\n/, '\n'),
  replay: current,
};
const against = arg('against');
if (against) {
  const source = execFileSync('git', ['show', `${against}:${LUA_FILE}`], { cwd: ROOT, encoding: 'utf8' });
  const marker = 'STORE_QUOTES_LUA = ';
  const literal = source.slice(source.indexOf(marker) + marker.length, source.lastIndexOf('`') + 1);
  variants[against] = new Function(`return ${literal}`)();
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const subscriber = process.argv.includes('--subscribed') ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : null;
let delivered = 0;
subscriber?.on('message', () => delivered++);
let seq = 1;
let ts = Date.now();
/** The state key (last key of a call) marked whole in this run, as the processor leaves it (see RedisState). */
const stateKey = (prefix) => `${prefix}state`;
const RUN_ID = /run_id:(\w+)/.exec(await redis.info('server'))[1];
function call(prefix, publish = 'PUBLISH') {
  const keys = [];
  const args = [...HEADER];
  args[0] = publish;
  for (const s of SYMBOLS) {
    keys.push(`${prefix}quote:{${s}}`, `${prefix}history:{${s}}`, `${prefix}bars:1s:{${s}}`, `${prefix}bars:1m:{${s}}`);
    args.push(s, `${prefix}quotes:{${s}}`, `${prefix}bar:1s:{${s}}`, `${prefix}bar:1m:{${s}}`, PER_SYMBOL);
    for (let i = 0; i < PER_SYMBOL; i++, seq++, ts++) {
      const quote = { symbol: s, price: 100 + (seq % 97) / 100, bid: 99.9, ask: 100.1, volume: seq * 10, change: 0.5, changePercent: 0.5, timestamp: ts, seq };
      args.push(String(seq), JSON.stringify(quote), quote.price, quote.volume, quote.timestamp);
    }
  }
  keys.push(stateKey(prefix));
  return [keys, args];
}

const perQuote = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
try {
  for (let round = 1; round <= ROUNDS; round++) {
    // In a fixed order the first variant of each round came out slower: the order is shuffled per round.
    const order = Object.entries(variants).sort(() => Math.random() - 0.5);
    for (const [name, lua] of order) {
      const sha = await redis.script('LOAD', lua);
      const prefix = `bench-replay:${process.pid}:${name}:`;
      const channels = SYMBOLS.flatMap((s) => [`${prefix}quotes:{${s}}`, `${prefix}bar:1s:{${s}}`, `${prefix}bar:1m:{${s}}`]);
      await subscriber?.subscribe(...channels);
      const publish = name === 'replay' ? `REPLAY:${RUN_ID}` : 'PUBLISH';
      await redis.set(stateKey(prefix), RUN_ID);
      for (let i = 0; i < 20; i++) await redis.evalsha(sha, SYMBOLS.length * 4 + 1, ...call(prefix, publish).flat());
      await redis.config('RESETSTAT');
      for (let i = 0; i < CALLS; i++) await redis.evalsha(sha, SYMBOLS.length * 4 + 1, ...call(prefix, publish).flat());
      const usec = Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(await redis.info('commandstats'))[1]);
      perQuote[name].push(usec / (SYMBOLS.length * PER_SYMBOL));
      console.log(`round ${round}  ${name.padEnd(12)} ${Math.round(usec)} us a call, ${perQuote[name].at(-1).toFixed(2)} us a quote`);
      await subscriber?.unsubscribe(...channels);
      for (let cursor = '0'; ; ) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        if ((cursor = next) === '0') break;
      }
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(`median of ${ROUNDS} rounds, us of Redis time a quote:`);
  for (const [name, list] of Object.entries(perQuote)) console.log(`  ${name.padEnd(12)} ${median(list).toFixed(2)}`);
  if (subscriber) console.log(`(${delivered} messages delivered to the subscriber)`);
} finally {
  redis.disconnect();
  subscriber?.disconnect();
}
