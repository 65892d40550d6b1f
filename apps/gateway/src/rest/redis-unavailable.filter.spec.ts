import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_RETRY_AFTER_SECONDS, RedisUnavailableFilter } from './redis-unavailable.filter.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What the filter answers for `exception`: status, body and headers, as Nest's HTTP adapter would write them. */
function answer(exception: unknown) {
  const reply = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const res = { setHeader: (name: string, value: string) => (reply.headers[name] = value) };
  const adapter = {
    isHeadersSent: () => false,
    reply: (_res: unknown, body: unknown, status: number) => Object.assign(reply, { body, status }),
  } as unknown as AbstractHttpAdapter;
  const host = { switchToHttp: () => ({ getResponse: () => res }), getArgByIndex: (i: number) => [{}, res][i] } as unknown as ArgumentsHost;
  new RedisUnavailableFilter(adapter).catch(exception, host);
  return reply;
}

/** The error a real ioredis command gets from a Redis that is not there (nothing listens on port 1). */
async function errorOfUnreachableRedis(options: RedisOptions): Promise<Error> {
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, ...options });
  redis.on('error', () => undefined);
  try {
    await redis.get('any');
    throw new Error('expected the command to fail');
  } catch (err) {
    return err as Error;
  } finally {
    redis.disconnect();
  }
}

describe('RedisUnavailableFilter', () => {
  afterEach(() => mock.restoreAll());

  const assertUnavailable = (exception: unknown) => {
    const logged = mock.method(Logger.prototype, 'error', () => undefined);
    const reply = answer(exception);
    assert.equal(reply.status, 503, String(exception));
    assert.deepEqual(reply.body, {
      statusCode: 503,
      error: 'Service Unavailable',
      message: `Market data is kept in Redis, which the gateway cannot reach right now; retry in ${REDIS_RETRY_AFTER_SECONDS} s`,
    });
    assert.equal(reply.headers['Retry-After'], String(REDIS_RETRY_AFTER_SECONDS));
    assert.equal(logged.mock.callCount(), 0, 'an outage is not logged per request');
  };

  it('answers 503 with Retry-After when ioredis used up its reconnect attempts for the command', async () => {
    const err = await errorOfUnreachableRedis({ maxRetriesPerRequest: 1, retryStrategy: () => 10 });
    assert.equal(err.name, 'MaxRetriesPerRequestError');
    assertUnavailable(err);
  });

  it('answers 503 with Retry-After when the connection closed under the command', async () => {
    const err = await errorOfUnreachableRedis({ retryStrategy: () => null });
    assert.equal(err.message, 'Connection is closed.');
    assertUnavailable(err);
  });

  it('answers 503 for a command timeout, a refused socket and a Redis still loading its data', () => {
    assertUnavailable(new Error('Command timed out'));
    assertUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }));
    const loading = Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' });
    assertUnavailable(loading);
  });

  it('keeps a real bug a logged 500, whether a plain error or a Redis reply error', async () => {
    const redis = new Redis(REDIS_URL);
    const key = `t${process.pid}:redis-unavailable-filter`;
    await redis.set(key, 'a string', 'EX', 60);
    const wrongType = await redis.hget(key, 'json').then(() => new Error('expected WRONGTYPE'), (err: Error) => err);
    await redis.del(key);
    await redis.quit();
    for (const bug of [new TypeError("Cannot read properties of undefined (reading 'seq')"), wrongType]) {
      const logged = mock.method(Logger.prototype, 'error', () => undefined);
      const reply = answer(bug);
      assert.equal(reply.status, 500, String(bug));
      assert.deepEqual(reply.headers, {});
      assert.equal(logged.mock.callCount(), 1, 'a bug is logged');
      mock.restoreAll();
    }
  });

  it('passes HttpExceptions through with their own status', () => {
    const reply = answer(new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'Unknown symbol: ZZZ' }));
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.body, { statusCode: 404, error: 'Not Found', message: 'Unknown symbol: ZZZ' });
    assert.deepEqual(reply.headers, {});
  });
});
