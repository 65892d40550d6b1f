import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { TickTrace } from './tick-trace.js';

describe('TickTrace', () => {
  it("records a batch's age at each stage in processor_tick_stage_seconds{stage}, sub-millisecond buckets first", async () => {
    const registry = new Registry();
    const trace = new TickTrace(registry);
    trace.observe('fetched', 1_000, 1_000.2);
    trace.observe('stored', 1_000, 1_003.1);
    const text = await registry.metrics();
    assert.match(text, /processor_tick_stage_seconds_bucket\{le="0\.00025",stage="fetched"\} 1/);
    assert.match(text, /processor_tick_stage_seconds_bucket\{le="0\.003",stage="stored"\} 0/);
    assert.match(text, /processor_tick_stage_seconds_bucket\{le="0\.0035",stage="stored"\} 1/);
  });

  it('leaves out an age below zero (a tick stamped by a clock ahead of this one) rather than counting it as instant', async () => {
    const registry = new Registry();
    new TickTrace(registry).observe('handled', 2_000, 1_999);
    assert.match(await registry.metrics(), /processor_tick_stage_seconds_count\{stage="handled"\} 0|^(?![\s\S]*stage="handled")/);
  });
});
