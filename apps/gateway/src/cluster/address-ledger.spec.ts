import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressLedger } from './address-ledger.js';

describe('AddressLedger', () => {
  it('holds the cap of an address over every worker, and frees a place on release', () => {
    const ledger = new AddressLedger();
    assert.equal(ledger.claim(1, '203.0.113.7', 2), true);
    assert.equal(ledger.claim(2, '203.0.113.7', 2), true);
    assert.equal(ledger.claim(3, '203.0.113.7', 2), false, 'a third worker cannot add a third connection');
    assert.equal(ledger.claim(3, '203.0.113.8', 2), true, 'other addresses are not affected');
    ledger.release(2, '203.0.113.7');
    assert.equal(ledger.claim(3, '203.0.113.7', 2), true);
  });

  it("gives back a dead worker's places, and ignores a release it no longer holds", () => {
    const ledger = new AddressLedger();
    ledger.claim(1, 'a', 3);
    ledger.claim(1, 'a', 3);
    ledger.claim(2, 'a', 3);
    ledger.forget(1);
    assert.equal(ledger.held('a'), 1);
    ledger.release(1, 'a');
    ledger.release(2, 'b');
    assert.equal(ledger.held('a'), 1, "a late release from the dead worker does not free the live worker's place");
    ledger.release(2, 'a');
    assert.equal(ledger.held('a'), 0);
  });
});
