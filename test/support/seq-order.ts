import assert from 'node:assert/strict';
import type { TestClient } from './ws-client.js';

/** The seqs a client was sent per symbol, snapshot quotes and updates, in the order they arrived. */
export function seqsSeenBy(client: TestClient): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  const add = (symbol: string, seq: number) => {
    let list = seen.get(symbol);
    if (!list) seen.set(symbol, (list = []));
    list.push(seq);
  };
  for (const message of client.received) {
    if (message.type === 'snapshot') for (const quote of message.payload.quotes) add(quote.symbol, quote.seq);
    else if (message.type === 'update') add(message.payload.symbol, message.payload.seq);
  }
  return seen;
}

/** Per symbol, each seq is greater than the one before: nothing went backwards and nothing came twice. */
export function assertStrictlyIncreasing(seqs: ReadonlyMap<string, number[]>, who: string): void {
  for (const [symbol, list] of seqs) {
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i] > list[i - 1], `${who}: ${symbol} seq went from ${list[i - 1]} to ${list[i]} (position ${i} of ${list.length})`);
    }
  }
}

/** Per symbol, the seqs are consecutive (+1 each): no update in between was lost. */
export function assertConsecutive(seqs: ReadonlyMap<string, number[]>, who: string): void {
  for (const [symbol, list] of seqs) {
    const gaps = list.flatMap((seq, i) => (i > 0 && seq !== list[i - 1] + 1 ? [`${list[i - 1]}->${seq}`] : []));
    assert.deepEqual(gaps, [], `${who}: ${symbol} skipped seqs (${gaps.length} gaps, first ${gaps.slice(0, 5).join(', ')})`);
  }
}

/** The highest seq per symbol. */
export function highest(seqs: ReadonlyMap<string, number[]>): Map<string, number> {
  return new Map([...seqs].map(([symbol, list]) => [symbol, list.reduce((a, b) => Math.max(a, b), -Infinity)]));
}

/** Per symbol, `actual` holds exactly the seqs of `expected`, in the same order: none missing, none extra or repeated. */
export function assertSameSeqs(actual: ReadonlyMap<string, number[]>, expected: ReadonlyMap<string, number[]>, who: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${who}: symbols`);
  for (const [symbol, want] of expected) {
    const got = actual.get(symbol) ?? [];
    if (got.length === want.length && got.every((seq, i) => seq === want[i])) continue;
    const have = new Set(got);
    const missing = want.filter((seq) => !have.has(seq));
    const wanted = new Set(want);
    const extra = got.filter((seq) => !wanted.has(seq));
    assert.fail(
      `${who}: ${symbol} has ${got.length} seqs, expected ${want.length}; missing ${missing.length} (first ${missing.slice(0, 5)}), ` +
        `extra ${extra.length} (first ${extra.slice(0, 5)}), repeated ${got.length - have.size}`,
    );
  }
}
