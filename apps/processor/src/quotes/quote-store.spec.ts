import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Quote } from '#app/contracts';
import { slotOf, type RedisClient } from '#app/redis';
import type { TickTrace } from '../trace/tick-trace.js';
import { MAX_QUOTES_PER_CALL, QuoteStore, type SaveResult } from './quote-store.js';

/** How many quotes of a caller's batch were fresh. */
const fresh = async (save: Promise<SaveResult>) => (await save).fresh;

const quote = (symbol: string, seq: number): Quote => ({ symbol, price: 1, bid: 1, ask: 1, volume: 1, change: 0, changePercent: 0, timestamp: 1, seq });

interface ScriptCall {
  keys: string[];
  publish: string;
  symbols: string[];
  /** Quotes per symbol group, as the script reads them from ARGV. */
  counts: number[];
}

/**
 * A client that does not know the script until it is sent whole (EVALSHA answers NOSCRIPT once), then
 * records each call (its keys, publish command and symbols) and can fail the call of one symbol, or
 * refuse one symbol's group as the script does when that symbol's keys refuse its quotes.
 */
function fakeClient({ cluster, failFor, failWith = 'CLUSTERDOWN The cluster is down', refuseFor }: { cluster: boolean; failFor?: string; failWith?: string; refuseFor?: string }) {
  const calls: ScriptCall[] = [];
  const settled: string[] = [];
  const commands: string[] = [];
  let loaded = false;
  const client = {
    isCluster: cluster || undefined,
    async evalsha(_sha: string, keyCount: number, ...rest: Array<string | number>) {
      commands.push('EVALSHA');
      if (!loaded) throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      return run(keyCount, rest);
    },
    async eval(_lua: string, keyCount: number, ...rest: Array<string | number>) {
      commands.push('EVAL');
      loaded = true;
      return run(keyCount, rest);
    },
  };
  async function run(keyCount: number, rest: Array<string | number>) {
    const keys = rest.slice(0, keyCount).map(String);
    const args = rest.slice(keyCount);
    const symbols = keys.filter((k) => k.startsWith('p:quote:')).map((k) => k.slice('p:quote:{'.length, -1));
    // After the header (publish, ttl, history max, age, interval count and 3 per interval): per group
    // symbol, quote channel, a channel per interval, the count n, then 5 per quote.
    const counts: number[] = [];
    for (let a = 5 + 3 * Number(args[4]); a < args.length; ) {
      const n = Number(args[a + 2 + Number(args[4])]);
      counts.push(n);
      a += 3 + Number(args[4]) + 5 * n;
    }
    calls.push({ keys, publish: String(args[0]), symbols, counts });
    if (failFor && symbols.includes(failFor)) throw new Error(failWith);
    await new Promise((resolve) => setImmediate(resolve));
    settled.push(...symbols);
    // Every quote fresh, as the script answers: a count per group, or Redis's error for a refused one.
    return counts.map((n, g) => (symbols[g] === refuseFor ? 'WRONGTYPE Operation against a key holding the wrong kind of value' : n));
  }
  const store = new QuoteStore(client as unknown as RedisClient, { keyPrefix: 'p:', quoteTtlMs: 1000 }, {
    history: { maxPerSymbol: 10, maxAgeMs: 1000 },
    barRetentionMs: { '1s': 1000, '1m': 60_000 },
  }, { observe: () => undefined } as unknown as TickTrace);
  return { store, calls, settled, commands };
}

/** Two symbols whose hash tags land in the same slot, found by search so the spec does not depend on a table. */
function twoSymbolsInOneSlot(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const symbol = `S${i.toString(36).toUpperCase()}`;
    const slot = slotOf(`{${symbol}}`);
    const other = seen.get(slot);
    if (other) return [other, symbol];
    seen.set(slot, symbol);
  }
}

describe('QuoteStore', () => {
  it('on a single server, stores a whole batch in one script call that publishes with PUBLISH', async () => {
    const { store, calls, commands } = fakeClient({ cluster: false });
    assert.equal(await fresh(store.saveAll([quote('AAPL', 1), quote('MSFT', 1), quote('AAPL', 2)])), 3);
    assert.equal(await fresh(store.saveAll([quote('AAPL', 3)])), 1);
    assert.deepEqual(commands, ['EVALSHA', 'EVAL', 'EVALSHA'], 'the script is sent whole once, where Redis did not know it');
    calls.pop();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].publish, 'PUBLISH');
    assert.deepEqual(calls[0].symbols, ['AAPL', 'MSFT']);
  });

  it('in a cluster, makes one SPUBLISH script call per slot, each with the keys of that slot only', async () => {
    const [a, b] = twoSymbolsInOneSlot();
    const { store, calls } = fakeClient({ cluster: true });
    assert.equal(await fresh(store.saveAll([quote('AAPL', 1), quote(a, 1), quote('MSFT', 1), quote(b, 1), quote('AAPL', 2)])), 5);
    assert.equal(calls.length, 3, 'AAPL, MSFT and the two symbols that share a slot');
    for (const call of calls) {
      assert.equal(call.publish, 'SPUBLISH');
      assert.equal(new Set(call.keys.map((k) => slotOf(k))).size, 1, `one slot per call: ${call.keys}`);
    }
    assert.deepEqual(calls.find((c) => c.symbols.includes(a))?.symbols, [a, b]);
  });

  it('in a cluster, rejects the batch when one slot fails, only after every other call has settled', async () => {
    const { store, calls, settled } = fakeClient({ cluster: true, failFor: 'MSFT' });
    await assert.rejects(store.saveAll([quote('MSFT', 1), quote('AAPL', 1), quote('GOOG', 1)]), /CLUSTERDOWN/);
    assert.equal(calls.length, 3);
    assert.deepEqual(settled.sort(), ['AAPL', 'GOOG'], 'the calls that went through had settled when the batch failed');
  });

  it('merges the batches handed over in one turn into one call, and answers each caller its own count', async () => {
    const { store, calls } = fakeClient({ cluster: false });
    const [first, second] = await Promise.all([
      fresh(store.saveAll([quote('AAPL', 1), quote('AAPL', 2)])),
      fresh(store.saveAll([quote('MSFT', 1), quote('AAPL', 3), quote('GOOG', 1)])),
      Promise.resolve(),
    ]);
    assert.deepEqual([first, second], [2, 3]);
    assert.equal(calls.length, 1, 'one script call');
    assert.deepEqual(calls[0].symbols, ['AAPL', 'MSFT', 'AAPL', 'GOOG'], 'each caller its own groups, callers in order');
    assert.deepEqual(calls[0].counts, [2, 1, 1, 1]);
  });

  it('a batch handed over while a write is in flight goes with the next write, and nothing waits forever', async () => {
    const { store, calls } = fakeClient({ cluster: false });
    const first = store.saveAll([quote('AAPL', 1)]);
    await new Promise((resolve) => setImmediate(resolve)); // the first write has started
    const second = store.saveAll([quote('MSFT', 1)]);
    assert.deepEqual(await Promise.all([fresh(first), fresh(second)]), [1, 1]);
    assert.deepEqual(calls.map((c) => c.symbols), [['AAPL'], ['MSFT']]);
  });

  it(`cuts a merged write at ${MAX_QUOTES_PER_CALL} quotes a call, never splitting a caller's symbol`, async () => {
    const { store, calls } = fakeClient({ cluster: false });
    await store.saveAll([quote('WARM', 1)]); // the script is loaded
    calls.length = 0;
    const many = (symbol: string, n: number) => Array.from({ length: n }, (_, i) => quote(symbol, i + 1));
    const counts = await Promise.all([fresh(store.saveAll(many('AAPL', 300))), fresh(store.saveAll([...many('MSFT', 150), ...many('GOOG', 100)])), fresh(store.saveAll(many('TSLA', 401)))]);
    assert.deepEqual(counts, [300, 250, 401]);
    assert.deepEqual(calls.map((c) => c.symbols), [['AAPL', 'MSFT'], ['GOOG'], ['TSLA']]);
    assert.ok(calls.every((c) => c.counts.reduce((a, b) => a + b, 0) <= MAX_QUOTES_PER_CALL));
  });

  it('in a cluster, a failed call fails only the callers with quotes in it, once every call has settled', async () => {
    const { store } = fakeClient({ cluster: true, failFor: 'MSFT' });
    const results = await Promise.allSettled([store.saveAll([quote('AAPL', 1)]), store.saveAll([quote('MSFT', 1), quote('GOOG', 1)]), store.saveAll([quote('GOOG', 2)])]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /CLUSTERDOWN/);
  });

  it('ends every call with the state key of its slot, which the script checks before it writes', async () => {
    for (const cluster of [false, true]) {
      const { store, calls } = fakeClient({ cluster });
      await store.saveAll([quote('AAPL', 1), quote('MSFT', 1)]);
      for (const call of calls) {
        const last = call.keys.at(-1)!;
        assert.match(last, cluster ? /^p:state:\{[0-9a-z]+\}$/ : /^p:state$/);
        if (cluster) assert.equal(slotOf(last), slotOf(call.keys[0]), 'the state key shares the slot of the call');
      }
    }
  });

  it('replays with REPLAY:<run_id of the slot> instead of a publish command, in order, never merged with live writes', async () => {
    const { store, calls } = fakeClient({ cluster: true });
    await store.saveAll([quote('WARM', 1)]);
    calls.length = 0;
    const fresh = await store.replay([quote('AAPL', 1), quote('MSFT', 1), quote('AAPL', 2)], (slot) => `run-of-${slot}`);
    assert.equal(fresh, 3);
    for (const call of calls) assert.equal(call.publish, `REPLAY:run-of-${slotOf(call.keys[0])}`);
    assert.deepEqual(calls.find((c) => c.symbols.includes('AAPL'))?.counts, [2]);
  });

  it('tells the rebuild when a live write finds the state lost, and fails the batch as any Redis refusal', async () => {
    const { store } = fakeClient({ cluster: false, failFor: 'AAPL', failWith: 'STATE_LOST Redis does not hold the whole state in this run (abc)' });
    let told = 0;
    store.onStateLost(() => told++);
    await assert.rejects(store.saveAll([quote('AAPL', 1)]), /STATE_LOST/);
    assert.equal(told, 1);
    const other = fakeClient({ cluster: false, failFor: 'AAPL' });
    let toldOther = 0;
    other.store.onStateLost(() => toldOther++);
    await assert.rejects(other.store.saveAll([quote('AAPL', 1)]), /CLUSTERDOWN/);
    assert.equal(toldOther, 0, 'other failures are not a lost state');
  });

  it("answers a symbol its keys refused to the caller whose quotes they were, and the other symbols' counts as usual", async () => {
    const { store } = fakeClient({ cluster: false, refuseFor: 'AAPL' });
    const [first, second] = await Promise.all([
      store.saveAll([quote('MSFT', 1), quote('AAPL', 1), quote('AAPL', 2)]),
      store.saveAll([quote('GOOG', 1), quote('AAPL', 3)]),
    ]);
    assert.deepEqual(first, { fresh: 1, refused: [{ symbol: 'AAPL', reason: 'WRONGTYPE Operation against a key holding the wrong kind of value' }] });
    assert.equal(second.fresh, 1);
    assert.deepEqual(second.refused.map((r) => r.symbol), ['AAPL']);
  });
});
