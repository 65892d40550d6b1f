import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sparklinePoints } from '../../apps/gateway/web/src/sparkline-points.js';

describe('sparklinePoints', () => {
  it('draws the lowest price at the bottom and the highest at the top of the box', () => {
    assert.equal(sparklinePoints([1, 3, 2], 100, 20, 0), '0,20 50,0 100,10');
    assert.equal(sparklinePoints([5, 5], 100, 20), '0,10 100,10');
    assert.equal(sparklinePoints([], 100, 20), '');
  });
});
