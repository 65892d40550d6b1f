import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '#app/config';
import type { ClientSession } from '../connections/client-session.js';
import type { AddressBudget } from './address-budget.js';
import { ConnectionBudget } from './connection-budget.js';
import { RateLimiter } from './rate-limiter.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then refuses until time refills it', () => {
    const bucket = new TokenBucket(2, 5, 0);
    const taken = Array.from({ length: 7 }, () => bucket.take(0));
    assert.deepEqual(taken, [true, true, true, true, true, false, false]);
    assert.equal(bucket.take(499), false, 'less than one token refilled at 2/s after 499 ms');
    assert.equal(bucket.take(500), true, 'one token after 500 ms');
    assert.equal(bucket.take(500), false);
  });

  it('refills to the burst and no further', () => {
    const bucket = new TokenBucket(10, 3, 0);
    for (let i = 0; i < 3; i++) bucket.take(0);
    const taken = Array.from({ length: 5 }, () => bucket.take(60_000));
    assert.deepEqual(taken, [true, true, true, false, false]);
  });

  it('neither refills nor drains when the clock goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    assert.equal(bucket.take(10_000), true);
    assert.equal(bucket.take(0), false);
    assert.equal(bucket.take(10_999), false, 'the refill still counts from the latest time seen');
    assert.equal(bucket.take(11_000), true);
  });
});

describe('ConnectionBudget', () => {
  it('counts refusals as strikes, expels on the last one, then drops unanswered', () => {
    const budget = new ConnectionBudget(new TokenBucket(1, 1, 0), 3);
    assert.equal(budget.admit(0, 'slow down'), 'admitted');
    assert.deepEqual(budget.admit(0, 'slow down'), { message: 'slow down', expel: false });
    assert.deepEqual(budget.admit(0, 'slow down'), { message: 'slow down', expel: false });
    assert.deepEqual(budget.admit(0, 'slow down'), { message: 'slow down', expel: true });
    assert.equal(budget.admit(0, 'slow down'), 'dropped');
    assert.equal(budget.admit(60_000, 'slow down'), 'dropped', 'a refilled bucket does not readmit an expelled connection');
  });

  it('answers a strike after the expelling one without expelling twice', () => {
    const budget = new ConnectionBudget(new TokenBucket(1, 1, 0), 1);
    assert.equal(budget.admit(0, 'x'), 'admitted');
    assert.deepEqual(budget.admit(0, 'x'), { message: 'x', expel: true });
    assert.deepEqual(budget.strike('from the address'), { message: 'from the address', expel: false });
  });
});

describe('RateLimiter', () => {
  const config: Pick<GatewayConfig, 'rateLimitPerSecond' | 'rateLimitBurst' | 'addressRateLimitPerSecond' | 'rateLimitStrikes'> = {
    rateLimitPerSecond: 1,
    rateLimitBurst: 5,
    addressRateLimitPerSecond: 1,
    rateLimitStrikes: 10,
  };
  const addresses = (answer: boolean) => {
    const asked: string[] = [];
    const budget = { take: async (address: string) => (asked.push(address), answer) } as unknown as AddressBudget;
    return { budget, asked };
  };
  const session = (ip: string) => ({ ip }) as ClientSession;

  it('refuses a flood in memory: the shared budget is asked only about the messages the connection admitted', async () => {
    const { budget, asked } = addresses(true);
    const limiter = new RateLimiter(budget, config);
    const client = session('203.0.113.7');
    const verdicts = [];
    for (let i = 0; i < 30; i++) {
      const verdict = limiter.admit(client);
      verdicts.push(verdict === 'admitted' ? await limiter.admitAddress(client) : verdict);
    }
    assert.equal(verdicts.filter((v) => v === 'admitted').length, 5);
    assert.equal(asked.length, 5, 'no Redis call for a refused message');
    const refusals = verdicts.filter((v) => typeof v === 'object');
    assert.equal(refusals.length, 10);
    assert.equal(refusals.filter((r) => r.expel).length, 1, 'the tenth refusal closes the connection');
    assert.equal(verdicts.filter((v) => v === 'dropped').length, 15, 'after it, messages are dropped unanswered');
    assert.match(refusals[0].message, /per second on this connection/);
  });

  it("keeps one budget per connection, and refuses with a strike when the address's budget is spent", async () => {
    const { budget } = addresses(false);
    const limiter = new RateLimiter(budget, { ...config, rateLimitStrikes: 2 });
    const [a, b] = [session('203.0.113.7'), session('203.0.113.7')];
    for (let i = 0; i < 5; i++) assert.equal(limiter.admit(a), 'admitted');
    assert.equal(limiter.admit(b), 'admitted', 'another connection has its own bucket');
    assert.deepEqual(await limiter.admitAddress(b), { message: 'More than 1 messages per second from your address', expel: false });
    assert.deepEqual(await limiter.admitAddress(b), { message: 'More than 1 messages per second from your address', expel: true });
  });
});
