import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { HttpException, type ExecutionContext } from '@nestjs/common';
import { parseTrustedProxies } from '#app/config';
import { TrustedProxies } from '../connections/trusted-proxies.js';
import type { AddressBudget } from '../rate-limit/address-budget.js';
import { AddressBudgetGuard } from './address-budget.guard.js';

/** AddressBudget's answers without Redis: `tokens` requests per address, recording who asked. */
class CountingBudget {
  readonly asked: string[] = [];
  private readonly left = new Map<string, number>();

  constructor(private readonly tokens: number) {}

  async take(address: string) {
    this.asked.push(address);
    const left = this.left.get(address) ?? this.tokens;
    this.left.set(address, left - 1);
    return left > 0;
  }
}

function guard(budget: CountingBudget, perSecond = 50, proxies = '') {
  const trusted = new TrustedProxies({ trustedProxies: parseTrustedProxies(proxies).networks });
  return new AddressBudgetGuard(budget as unknown as AddressBudget, trusted, { addressRateLimitPerSecond: perSecond });
}

function request(remoteAddress: string, headers: Record<string, string> = {}) {
  const sent: Record<string, string> = {};
  const req = { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
  const res = { setHeader: (name: string, value: string) => (sent[name] = value) };
  const context = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ExecutionContext;
  return { context, sent };
}

async function refusal(promise: Promise<boolean>): Promise<HttpException> {
  const err = await promise.then(
    () => assert.fail('admitted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HttpException);
  return err;
}

describe('AddressBudgetGuard', () => {
  it('takes one token per request from the client address the socket would see', async () => {
    const budget = new CountingBudget(5);
    const behindProxy = guard(budget, 50, '10.0.0.1');
    assert.equal(await behindProxy.canActivate(request('::ffff:192.0.2.7').context), true);
    assert.equal(await behindProxy.canActivate(request('10.0.0.1', { 'x-forwarded-for': '198.51.100.9' }).context), true);
    assert.equal(await behindProxy.canActivate(request('192.0.2.7', { 'x-forwarded-for': '198.51.100.9' }).context), true);
    assert.deepEqual(budget.asked, ['192.0.2.7', '198.51.100.9', '192.0.2.7'], 'X-Forwarded-For is believed from the trusted proxy only');
  });

  it('refuses an address out of budget with 429, the error shape and Retry-After, leaving other addresses alone', async () => {
    const limited = guard(new CountingBudget(1));
    await limited.canActivate(request('192.0.2.7').context);
    const refused = request('192.0.2.7');
    const err = await refusal(limited.canActivate(refused.context));
    assert.equal(err.getStatus(), 429);
    assert.deepEqual(err.getResponse(), {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'More than 50 requests and messages per second from your address; retry in 1 s',
    });
    assert.deepEqual(refused.sent, { 'Retry-After': '1' });
    assert.equal(await limited.canActivate(request('192.0.2.8').context), true);
  });

  it('says to retry after the time the bucket takes to earn a token, when that is more than a second', async () => {
    const slow = guard(new CountingBudget(0), 0.25);
    const refused = request('192.0.2.7');
    assert.match((await refusal(slow.canActivate(refused.context))).message, /retry in 4 s$/);
    assert.deepEqual(refused.sent, { 'Retry-After': '4' });
  });
});
