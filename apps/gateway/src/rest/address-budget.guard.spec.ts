import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { HttpException, type ExecutionContext } from '@nestjs/common';
import { AddressBudgetGuard, type RequestBudget } from './address-budget.guard.js';
import { PeerAddress } from './peer-address.js';

/** A budget with `tokens` requests per address, recording who asked; `failing` makes it throw like a Redis outage. */
class CountingBudget implements RequestBudget {
  readonly asked: string[] = [];
  failing = false;
  private readonly left = new Map<string, number>();

  constructor(private readonly tokens: number) {}

  async take(address: string) {
    this.asked.push(address);
    if (this.failing) throw new Error('Connection is closed.');
    const left = this.left.get(address) ?? this.tokens;
    this.left.set(address, left - 1);
    return left > 0;
  }
}

function request(remoteAddress: string) {
  const headers: Record<string, string> = {};
  const req = { socket: { remoteAddress }, headers: {} } as unknown as IncomingMessage;
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const context = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ExecutionContext;
  return { context, headers };
}

describe('AddressBudgetGuard', () => {
  it('admits requests while the address has budget, one token each, keyed on the client address', async () => {
    const budget = new CountingBudget(2);
    const guard = new AddressBudgetGuard(budget, new PeerAddress());
    assert.equal(await guard.canActivate(request('::ffff:10.0.0.7').context), true);
    assert.equal(await guard.canActivate(request('10.0.0.7').context), true);
    assert.deepEqual(budget.asked, ['10.0.0.7', '10.0.0.7'], 'an IPv4 peer seen over IPv6 is the same address');
  });

  it('refuses an address out of budget with 429, Retry-After and the error shape, leaving other addresses alone', async () => {
    const guard = new AddressBudgetGuard(new CountingBudget(1), new PeerAddress());
    await guard.canActivate(request('10.0.0.7').context);
    const refused = request('10.0.0.7');
    const err = await guard.canActivate(refused.context).then(
      () => assert.fail('admitted'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof HttpException);
    assert.equal(err.getStatus(), 429);
    assert.deepEqual(err.getResponse(), {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many requests from your address; retry in 1 s',
    });
    assert.deepEqual(refused.headers, { 'Retry-After': '1' });
    assert.equal(await guard.canActivate(request('10.0.0.8').context), true);
  });

  it('lets requests through while the budget cannot answer, and meters again once it can', async () => {
    const budget = new CountingBudget(0);
    const guard = new AddressBudgetGuard(budget, new PeerAddress());
    budget.failing = true;
    assert.equal(await guard.canActivate(request('10.0.0.7').context), true);
    assert.equal(await guard.canActivate(request('10.0.0.7').context), true);
    budget.failing = false;
    await assert.rejects(guard.canActivate(request('10.0.0.7').context), (e: HttpException) => e.getStatus() === 429);
  });
});
