import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestClient } from './rest-client.js';

const quote = (seq: number) => ({ symbol: 'AAPL', price: 189.1, bid: 189, ask: 189.2, volume: 10, change: 1, changePercent: 0.5, timestamp: 1_764_000_000_000, seq });
const bar = { symbol: 'AAPL', interval: '1m', start: 1_764_000_000_000, open: 1, high: 2, low: 1, close: 2, volume: 5, ticks: 2, seq: 3, closed: false };

/** A fetch that records the requests and answers each with the next reply. */
function fakeFetch(...replies: Array<{ status?: number; body?: unknown; raw?: string } | Error>) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = (async (url: URL, init: { headers: Record<string, string> }) => {
    requests.push({ url: url.href, headers: init.headers });
    const reply = replies.shift()!;
    if (reply instanceof Error) throw reply;
    return new Response(reply.raw ?? JSON.stringify(reply.body), { status: reply.status ?? 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, requests };
}

describe('RestClient', () => {
  it('asks for the latest quotes, history and bars with the agreed paths and query, and returns the checked bodies', async () => {
    const { fetch, requests } = fakeFetch(
      { body: { quotes: [quote(5)] } },
      { body: { symbol: 'AAPL', quotes: [quote(6), quote(7)], complete: true } },
      { body: { symbol: 'AAPL', interval: '1m', bars: [bar] } },
    );
    const rest = new RestClient({ baseUrl: 'http://127.0.0.1:8081/', fetch, apiKey: 'secret' });
    assert.deepEqual(await rest.latestQuotes(['AAPL', 'GOOG']), [quote(5)]);
    assert.deepEqual(await rest.history('AAPL', { since: 5, limit: 2 }), { symbol: 'AAPL', quotes: [quote(6), quote(7)], complete: true });
    assert.deepEqual(await rest.bars('BRK.B', { interval: '1m', limit: 60 }), { symbol: 'AAPL', interval: '1m', bars: [bar] });
    assert.deepEqual(
      requests.map((r) => r.url),
      [
        'http://127.0.0.1:8081/api/quotes?symbols=AAPL%2CGOOG',
        'http://127.0.0.1:8081/api/quotes/AAPL/history?since=5&limit=2',
        'http://127.0.0.1:8081/api/bars/BRK.B?interval=1m&limit=60',
      ],
    );
    assert.equal(requests[0].headers['x-api-key'], 'secret');
  });

  it('turns 400, 401, 404, 503 and other statuses into typed errors carrying the gateway message', async () => {
    const { fetch } = fakeFetch(
      { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'limit must be at most 1000' } },
      { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Unknown symbols: ZZZZ' } },
      { status: 503, raw: 'upstream down' },
      { status: 502, raw: 'bad gateway' },
      { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'A known API key is required in the x-api-key header' } },
      { status: 400, body: { statusCode: 400, message: ['since must be an integer', 'limit must be positive'] } },
    );
    const rest = new RestClient({ baseUrl: 'http://127.0.0.1:8081/', fetch });
    await assert.rejects(rest.history('AAPL', { limit: 5000 }), { code: 'BAD_REQUEST', status: 400, message: /limit must be at most 1000/ });
    await assert.rejects(rest.latestQuotes(['ZZZZ']), { code: 'NOT_FOUND', status: 404, message: /Unknown symbols: ZZZZ/ });
    await assert.rejects(rest.latestQuotes(['AAPL']), { code: 'UNAVAILABLE', status: 503 });
    await assert.rejects(rest.latestQuotes(['AAPL']), { code: 'HTTP_ERROR', status: 502 });
    await assert.rejects(rest.latestQuotes(['AAPL']), { code: 'UNAUTHORIZED', status: 401, message: /x-api-key/ });
    await assert.rejects(rest.history('AAPL', { since: -1 }), { code: 'BAD_REQUEST', message: /since must be an integer; limit must be positive/ });
  });

  it('refuses a 2xx body that is not what the contract says, and reports an unreachable gateway as NETWORK_ERROR', async () => {
    const { fetch } = fakeFetch(
      { body: { quotes: [{ ...quote(1), seq: 'x' }] } },
      { raw: 'not json' },
      { body: { symbol: 'AAPL', quotes: [] } },
      { body: { symbol: 'AAPL', interval: '1m', bars: [{ ...bar, closed: null }] } },
      new TypeError('fetch failed'),
    );
    const rest = new RestClient({ baseUrl: 'http://127.0.0.1:8081/', fetch });
    await assert.rejects(rest.latestQuotes(['AAPL']), { code: 'INVALID_RESPONSE' });
    await assert.rejects(rest.latestQuotes(['AAPL']), { code: 'INVALID_RESPONSE' });
    await assert.rejects(rest.history('AAPL'), { code: 'INVALID_RESPONSE' });
    await assert.rejects(rest.bars('AAPL', { interval: '1m' }), { code: 'INVALID_RESPONSE' });
    await assert.rejects(rest.latestQuotes(['AAPL']), { code: 'NETWORK_ERROR', message: /fetch failed/ });
  });
});
