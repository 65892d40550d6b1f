import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSymbolInput } from '../../apps/gateway/web/src/symbol-input.js';
import { WATCHLIST_STORAGE_KEY, WatchlistStore, type KeyValueStorage } from '../../apps/gateway/web/src/watchlist-store.js';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const storageWith = (saved: string) => {
  const storage = new MemoryStorage();
  storage.setItem(WATCHLIST_STORAGE_KEY, saved);
  return storage;
};

describe('WatchlistStore', () => {
  it('starts a first visit with AAPL, MSFT, GOOG, AMZN and TSLA', () => {
    assert.deepEqual(new WatchlistStore(new MemoryStorage()).symbols, ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA']);
  });

  it('saves every add and remove, and a new store on the same storage restores them', () => {
    const storage = new MemoryStorage();
    const store = new WatchlistStore(storage);
    assert.equal(store.add('NVDA'), true);
    assert.equal(store.add('NVDA'), false, 'a symbol is listed once');
    assert.equal(store.remove('GOOG'), true);
    assert.equal(store.remove('GOOG'), false);
    assert.deepEqual(new WatchlistStore(storage).symbols, ['AAPL', 'MSFT', 'AMZN', 'TSLA', 'NVDA']);
  });

  it('keeps a list the user emptied empty instead of bringing the defaults back', () => {
    assert.deepEqual(new WatchlistStore(storageWith('[]')).symbols, []);
  });

  it('falls back to the defaults for corrupt storage and drops entries that are not symbols', () => {
    assert.equal(new WatchlistStore(storageWith('{not json')).symbols.length, 5);
    assert.equal(new WatchlistStore(storageWith('{"a":1}')).symbols.length, 5);
    assert.deepEqual(new WatchlistStore(storageWith('["KO", 7, "bad symbol", "KO", "BRK.B"]')).symbols, ['KO', 'BRK.B']);
  });

  it('still works for the visit when storage refuses to save', () => {
    const store = new WatchlistStore({
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    });
    assert.equal(store.add('V'), true);
    assert.ok(store.has('V'));
  });
});

describe('parseSymbolInput', () => {
  it('reads a symbol the way the gateway will: trimmed and upper-cased', () => {
    assert.deepEqual(parseSymbolInput('  nvda '), { ok: true, symbol: 'NVDA' });
    assert.deepEqual(parseSymbolInput('brk.b'), { ok: true, symbol: 'BRK.B' });
  });

  it('rejects empty and malformed input with a message saying what a symbol looks like', () => {
    for (const raw of ['', '   ', '123', 'AB CD', 'TOOLONGSYMBOL', '$AAPL']) {
      const parsed = parseSymbolInput(raw);
      assert.equal(parsed.ok, false, raw);
      assert.match((parsed as { message: string }).message, /ticker/i);
    }
  });
});
