import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AddressBudget } from './address-budget.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A gateway's budget on its own Redis connection, as each gateway process has one. */
function budget(redis: Redis, keyPrefix: string, perSecond: number, burst: number): AddressBudget {
  const b = new AddressBudget(redis, { addressRateLimitPerSecond: perSecond, addressRateLimitBurst: burst }, { keyPrefix });
  b.onModuleInit();
  return b;
}

describe('AddressBudget against the real Redis', () => {
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  let redis: Redis[];

  before(async () => {
    redis = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    await Promise.all(redis.map((r) => r.ping()));
  });
  after(async () => {
    const keys = await redis[0].keys(`${prefix}*`);
    if (keys.length > 0) await redis[0].del(...keys);
    await Promise.all(redis.map((r) => r.quit()));
  });

  it('lets a burst through, then refuses, with one bucket per address', async () => {
    const gateway = budget(redis[0], prefix, 0.01, 5);
    const taken = [];
    for (let i = 0; i < 7; i++) taken.push(await gateway.take('203.0.113.1'));
    assert.deepEqual(taken, [true, true, true, true, true, false, false]);
    assert.equal(await gateway.take('203.0.113.2'), true, 'another address has its own bucket');
  });

  it('is shared by gateways: what one spent, the other cannot', async () => {
    const [one, two] = [budget(redis[0], prefix, 0.01, 4), budget(redis[1], prefix, 0.01, 4)];
    for (let i = 0; i < 3; i++) assert.equal(await one.take('2001:db8::9'), true);
    assert.equal(await two.take('2001:db8::9'), true);
    assert.equal(await two.take('2001:db8::9'), false);
    assert.equal(await one.take('2001:db8::9'), false);
  });

  it('gives one host rotating through its IPv6 /64 one budget, and a mapped IPv4 address the IPv4 budget', async () => {
    const gateway = budget(redis[0], prefix, 0.01, 2);
    assert.equal(await gateway.take('2001:db8:5:6::1'), true);
    assert.equal(await gateway.take('2001:db8:5:6::2'), true);
    assert.equal(await gateway.take('2001:db8:5:6:dead:beef:0:1'), false, 'another address of the same /64 draws on the same bucket');
    assert.equal(await gateway.take('2001:db8:5:7::1'), true, 'the next /64 has its own');
    assert.equal(await gateway.take('203.0.113.8'), true);
    assert.equal(await gateway.take('::ffff:203.0.113.8'), true);
    assert.equal(await gateway.take('203.0.113.8'), false, 'the mapped spelling spent the IPv4 bucket');
  });

  it('refills with time', async () => {
    const gateway = budget(redis[0], prefix, 100, 1);
    assert.equal(await gateway.take('203.0.113.3'), true);
    let refilled = false;
    for (let i = 0; i < 200 && !refilled; i++) {
      await sleep(5);
      refilled = await gateway.take('203.0.113.3');
    }
    assert.ok(refilled, 'a token came back (100 per second)');
  });

  it('keeps a bucket only until it would have refilled anyway', async () => {
    await budget(redis[0], prefix, 0.5, 3).take('203.0.113.4');
    const ttl = await redis[0].pttl(`${prefix}budget:203.0.113.4`);
    assert.ok(ttl > 1000 && ttl <= 3000, `one token at 0.5/s is back within 2 s (+1 s), TTL ${ttl} ms`);
  });
});

describe('AddressBudget while Redis fails', () => {
  afterEach(() => mock.restoreAll());

  it('lets every message through and warns once per outage', async () => {
    const warn = mock.method(Logger.prototype, 'warn', () => undefined);
    // Nothing listens on port 1: the connection never becomes ready.
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const gateway = budget(down, 'x:', 0.01, 1);
    for (let i = 0; i < 5; i++) assert.equal(await gateway.take('203.0.113.5'), true);
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0].arguments[0]), /budget off while Redis fails/);
    down.disconnect();
  });

  it('lets a message through when the script call itself fails', async () => {
    const warn = mock.method(Logger.prototype, 'warn', () => undefined);
    const redis = new Redis(REDIS_URL);
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    // A key of the wrong type makes the script fail inside Redis (WRONGTYPE), as an OOM or a read-only replica would.
    await redis.set(`${prefix}budget:203.0.113.6`, 'not a hash', 'EX', 60);
    const gateway = budget(redis, prefix, 0.01, 1);
    assert.equal(await gateway.take('203.0.113.6'), true);
    assert.equal(await gateway.take('203.0.113.6'), true);
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0].arguments[0]), /WRONGTYPE/);
    await redis.del(`${prefix}budget:203.0.113.6`);
    await redis.quit();
  });
});
