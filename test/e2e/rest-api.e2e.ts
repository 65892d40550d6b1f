import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { barsKey, historyKey, quoteKey, type Bar, type BarInterval, type Quote } from '#app/contracts';
import type { AppProcess } from '../support/app-process.js';
import { isolatedEnv, REDIS_URL, startApp } from '../support/system.js';
import { TestClient } from '../support/ws-client.js';

/** Debian's package (apt-get install chromium); never a browser downloaded by Playwright. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MINUTE = 60_000;
const T0 = 1_764_000_000_000 - (1_764_000_000_000 % MINUTE);

const quote = (symbol: string, seq: number): Quote => ({
  symbol,
  price: 100 + (seq % 10),
  bid: 99 + (seq % 10),
  ask: 101 + (seq % 10),
  volume: seq * 10,
  change: 1,
  changePercent: 1,
  timestamp: T0 + seq,
  seq,
});

const bar = (symbol: string, interval: BarInterval, start: number, closed: boolean): Bar => ({
  symbol,
  interval,
  start,
  open: 100,
  high: 102,
  low: 99,
  close: 101,
  volume: 50,
  ticks: 5,
  seq: start / 1000,
  closed,
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Reply {
  status: number;
  type: string;
  headers: Headers;
  body: any;
}

/**
 * The REST API of a real gateway over the real Redis. The processor does not write history or bars on
 * this branch yet, so the test writes them in the documented layout, under its own key prefix:
 * - AAPL: history seq 101..150, latest quote 150, five 1m bars (the last open) and three 1s bars
 * - MSFT: history trimmed to seq 200..205, latest quote 205
 * - GOOG: a latest quote (seq 7) and no history; TSLA: nothing at all
 */
describe('REST API on the gateway, over the real Redis', () => {
  const env = isolatedEnv({ SYMBOLS: 'AAPL,MSFT,GOOG,TSLA' });
  const prefix = env.REDIS_KEY_PREFIX;
  const aaplBars1m = range(0, 4).map((i) => bar('AAPL', '1m', T0 + i * MINUTE, i < 4));
  const aaplBars1s = range(0, 2).map((i) => bar('AAPL', '1s', T0 + i * 1000, i < 2));
  let gateway: AppProcess;
  let redis: Redis;

  const get = async (path: string): Promise<Reply> => {
    const res = await fetch(`http://127.0.0.1:${gateway.port}${path}`, { signal: AbortSignal.timeout(10_000) });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, headers: res.headers, body: type.includes('json') ? await res.json() : await res.text() };
  };

  /** Asserts a JSON error in Nest's shape whose one message matches. */
  const assertError = async (path: string, status: number, error: string, message: RegExp) => {
    const reply = await get(path);
    assert.equal(reply.status, status, `${path}: ${JSON.stringify(reply.body)}`);
    assert.match(reply.type, /^application\/json/, path);
    assert.deepEqual(Object.keys(reply.body).sort(), ['error', 'message', 'statusCode'], path);
    assert.equal(reply.body.statusCode, status);
    assert.equal(reply.body.error, error);
    assert.equal(typeof reply.body.message, 'string', `${path}: one message, not a list`);
    assert.match(reply.body.message, message, path);
  };

  const seqs = (quotes: Quote[]) => quotes.map((q) => q.seq);

  before(async () => {
    redis = new Redis(REDIS_URL);
    const seed = redis.multi();
    for (const seq of range(101, 150)) seed.xadd(historyKey(prefix, 'AAPL'), `${seq}-0`, 'json', JSON.stringify(quote('AAPL', seq)));
    seed.hset(quoteKey(prefix, 'AAPL'), 'json', JSON.stringify(quote('AAPL', 150)));
    for (const seq of range(200, 205)) seed.xadd(historyKey(prefix, 'MSFT'), `${seq}-0`, 'json', JSON.stringify(quote('MSFT', seq)));
    seed.hset(quoteKey(prefix, 'MSFT'), 'json', JSON.stringify(quote('MSFT', 205)));
    seed.hset(quoteKey(prefix, 'GOOG'), 'json', JSON.stringify(quote('GOOG', 7)));
    for (const b of [...aaplBars1m, ...aaplBars1s]) seed.zadd(barsKey(prefix, b.interval, b.symbol), b.start, JSON.stringify(b));
    await seed.exec();
    gateway = await startApp('gateway', env);
  }, { timeout: 120_000 });

  after(async () => {
    await gateway?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  describe('GET /api/quotes', () => {
    it('returns the latest stored quote of each symbol asked for, upper-cased, leaving out symbols without one', async () => {
      const reply = await get('/api/quotes?symbols=aapl,%20goog,TSLA,msft,AAPL');
      assert.equal(reply.status, 200);
      assert.match(reply.type, /^application\/json/);
      assert.deepEqual(reply.body, { quotes: [quote('AAPL', 150), quote('GOOG', 7), quote('MSFT', 205)] });
    });

    it('answers 400 for a missing, malformed or too long list, and 404 naming every unknown symbol', async () => {
      await assertError('/api/quotes', 400, 'Bad Request', /^symbols is required/);
      await assertError('/api/quotes?symbols=AAPL,,GOOG', 400, 'Bad Request', /^symbols must be a comma-separated list of tickers/);
      await assertError('/api/quotes?symbols=AAPL%3BDROP', 400, 'Bad Request', /^symbols must be a comma-separated list of tickers/);
      const many = range(0, 100).map((i) => `S${i}`).join(',');
      await assertError(`/api/quotes?symbols=${many}`, 400, 'Bad Request', /^symbols may name at most 100 tickers$/);
      await assertError('/api/quotes?symbols=AAPL&limit=5', 400, 'Bad Request', /^property limit should not exist$/);
      await assertError('/api/quotes?symbols=AAPL,nope,ZZZ', 404, 'Not Found', /^Unknown symbols: NOPE, ZZZ$/);
    });
  });

  describe('GET /api/quotes/{symbol}/history', () => {
    it('without since: the last quotes in seq order, complete when history holds nothing older', async () => {
      const all = await get('/api/quotes/aapl/history');
      assert.equal(all.status, 200);
      assert.equal(all.body.symbol, 'AAPL');
      assert.deepEqual(all.body.quotes, range(101, 150).map((seq) => quote('AAPL', seq)));
      assert.equal(all.body.complete, true);

      const last = await get('/api/quotes/AAPL/history?limit=10');
      assert.deepEqual(seqs(last.body.quotes), range(141, 150));
      assert.equal(last.body.complete, false, 'older quotes are kept than the ten returned');
    });

    it('with since: the quotes after it in seq order, at most limit, pageable by the last seq', async () => {
      const after120 = await get('/api/quotes/AAPL/history?since=120');
      assert.deepEqual(seqs(after120.body.quotes), range(121, 150));
      assert.equal(after120.body.complete, true);

      const page1 = await get('/api/quotes/AAPL/history?since=120&limit=5');
      assert.deepEqual(seqs(page1.body.quotes), range(121, 125));
      assert.equal(page1.body.complete, true);
      const page2 = await get(`/api/quotes/AAPL/history?since=${page1.body.quotes.at(-1).seq}&limit=5`);
      assert.deepEqual(seqs(page2.body.quotes), range(126, 130));

      for (const since of [150, 999]) {
        assert.deepEqual((await get(`/api/quotes/AAPL/history?since=${since}`)).body, { symbol: 'AAPL', quotes: [], complete: true });
      }
    });

    it('says complete: false when quotes after since are gone from history, and true once since is within it', async () => {
      const gap = await get('/api/quotes/msft/history?since=150');
      assert.deepEqual(seqs(gap.body.quotes), range(200, 205));
      assert.equal(gap.body.complete, false, 'seq 151..199 are not in history');
      const within = await get('/api/quotes/MSFT/history?since=202&limit=2');
      assert.deepEqual(seqs(within.body.quotes), [203, 204]);
      assert.equal(within.body.complete, true);

      assert.deepEqual((await get('/api/quotes/GOOG/history?since=3')).body, { symbol: 'GOOG', quotes: [], complete: false });
      assert.deepEqual((await get('/api/quotes/GOOG/history?since=7')).body, { symbol: 'GOOG', quotes: [], complete: true });
      assert.deepEqual((await get('/api/quotes/TSLA/history')).body, { symbol: 'TSLA', quotes: [], complete: true });
    });

    it('answers 400 for bad parameters and 404 for a symbol not traded here', async () => {
      for (const query of ['limit=0', 'limit=1001', 'limit=ten', 'since=-1', 'since=1e3', 'since=']) {
        await assertError(`/api/quotes/AAPL/history?${query}`, 400, 'Bad Request', /^(since|limit) must be/);
      }
      await assertError('/api/quotes/AAPL/history?since=x&limit=0', 400, 'Bad Request', /^since must be .*; limit must be/);
      await assertError('/api/quotes/AAPL/history?from=1', 400, 'Bad Request', /^property from should not exist$/);
      await assertError('/api/quotes/A$B/history', 400, 'Bad Request', /^symbol must be a ticker/);
      await assertError('/api/quotes/NVDA/history', 404, 'Not Found', /^Unknown symbol: NVDA$/);
    });
  });

  describe('GET /api/bars/{symbol}', () => {
    it('without from: the last bars by start ascending, the current one still open', async () => {
      const reply = await get('/api/bars/aapl?interval=1m');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { symbol: 'AAPL', interval: '1m', bars: aaplBars1m });
      assert.equal(reply.body.bars[4].closed, false, "the current bar is open");
      assert.deepEqual((await get('/api/bars/AAPL?interval=1m&limit=2')).body.bars, aaplBars1m.slice(3));
      assert.deepEqual((await get(`/api/bars/AAPL?interval=1m&to=${T0 + 2 * MINUTE}&limit=2`)).body.bars, aaplBars1m.slice(1, 3));
      assert.deepEqual((await get('/api/bars/AAPL?interval=1s')).body.bars, aaplBars1s, 'each interval is its own series');
    });

    it('with from: the first bars starting in [from, to], both ends inclusive', async () => {
      const inRange = await get(`/api/bars/AAPL?interval=1m&from=${T0 + MINUTE}&to=${T0 + 3 * MINUTE}`);
      assert.deepEqual(inRange.body.bars, aaplBars1m.slice(1, 4));
      assert.deepEqual((await get(`/api/bars/AAPL?interval=1m&from=${T0 + MINUTE}&limit=2`)).body.bars, aaplBars1m.slice(1, 3));
      assert.deepEqual((await get(`/api/bars/AAPL?interval=1m&from=${T0 + 1}&to=${T0 + MINUTE - 1}`)).body.bars, []);
      assert.deepEqual((await get('/api/bars/GOOG?interval=1m')).body, { symbol: 'GOOG', interval: '1m', bars: [] });
    });

    it('answers 400 for bad parameters and 404 for a symbol not traded here', async () => {
      await assertError('/api/bars/AAPL', 400, 'Bad Request', /^interval must be one of 1s, 1m$/);
      await assertError('/api/bars/AAPL?interval=1h', 400, 'Bad Request', /^interval must be one of 1s, 1m$/);
      await assertError('/api/bars/AAPL?interval=1m&from=20&to=10', 400, 'Bad Request', /^to must not be before from$/);
      await assertError('/api/bars/AAPL?interval=1m&from=yesterday', 400, 'Bad Request', /^from must be a whole number of epoch milliseconds/);
      await assertError('/api/bars/AAPL?interval=1m&limit=5000', 400, 'Bad Request', /^limit must be a whole number from 1 to 1000$/);
      await assertError('/api/bars/ZZZ?interval=1m', 404, 'Not Found', /^Unknown symbol: ZZZ$/);
    });
  });

  describe('with authentication on (WS_AUTH_MODE=api-key)', () => {
    let locked: AppProcess;
    before(async () => {
      locked = await startApp('gateway', { ...env, WS_AUTH_MODE: 'api-key', WS_API_KEYS: 'rest-key' });
    }, { timeout: 120_000 });
    after(() => locked?.stop());

    it('answers only requests that carry a known key in the x-api-key header, as the socket does', async () => {
      const url = `http://127.0.0.1:${locked.port}/api/quotes?symbols=GOOG`;
      const withKey = await fetch(url, { headers: { 'x-api-key': 'rest-key' } });
      assert.equal(withKey.status, 200);
      assert.deepEqual(await withKey.json(), { quotes: [quote('GOOG', 7)] });
      for (const headers of [{}, { 'x-api-key': 'wrong' }] as Record<string, string>[]) {
        const refused = await fetch(url, { headers });
        assert.equal(refused.status, 401);
        assert.deepEqual(await refused.json(), { statusCode: 401, error: 'Unauthorized', message: `A known API key is required in the x-api-key header: ${headers['x-api-key'] ? 'unknown API key' : 'no API key'}` });
      }
      const inQuery = await fetch(`http://127.0.0.1:${locked.port}/api/bars/AAPL?interval=1m&apiKey=rest-key`);
      assert.equal(inQuery.status, 401, 'a key in the query string is not accepted');
    });
  });

  describe('the per-address budget (WS_ADDRESS_RATE_LIMIT_BURST=3, refilled at one token per 100 s)', () => {
    let metered: AppProcess;
    let socket: TestClient | undefined;
    before(async () => {
      // Its own key prefix, so its address bucket starts full whatever the other gateways took.
      metered = await startApp('gateway', isolatedEnv({ SYMBOLS: 'AAPL', WS_ADDRESS_RATE_LIMIT_BURST: '3', WS_ADDRESS_RATE_LIMIT_PER_SECOND: '0.01' }));
    }, { timeout: 120_000 });
    after(async () => {
      socket?.close();
      await metered?.stop();
    });

    it('is the one the socket draws on: requests and messages from one address share it, and a refused request gets 429 with Retry-After', async () => {
      const url = (path: string) => `http://127.0.0.1:${metered.port}${path}`;
      socket = await TestClient.connect(`ws://127.0.0.1:${metered.port}/ws`);
      for (let i = 0; i < 2; i++) {
        socket.send({ action: 'ping' });
        await socket.expect('pong');
      }
      assert.equal((await fetch(url('/api/quotes?symbols=AAPL'))).status, 200, 'the third token');
      for (const path of ['/api/quotes?symbols=AAPL', '/api/quotes?symbols=not,,valid', '/api/bars/AAPL?interval=1m']) {
        const refused = await fetch(url(path));
        assert.equal(refused.status, 429, path);
        assert.equal(refused.headers.get('retry-after'), '100', 'the time one token takes at 0.01 per second');
        assert.deepEqual(await refused.json(), {
          statusCode: 429,
          error: 'Too Many Requests',
          message: 'More than 0.01 requests and messages per second from your address; retry in 100 s',
        });
      }
      socket.send({ action: 'ping' });
      const error = await socket.expect('error');
      assert.equal(error.payload.code, 'RATE_LIMITED', 'the socket finds the budget the requests spent');
    });
  });

  describe('beside the page and the socket', () => {
    it('answers an unknown /api path with a JSON 404, while the page is still served at /', async () => {
      await assertError('/api/nothing-here', 404, 'Not Found', /^Cannot GET \/api\/nothing-here$/);
      await assertError('/api/quotes/AAPL', 404, 'Not Found', /^Cannot GET/);
      const page = await get('/');
      assert.equal(page.status, 200, 'the watchlist page (npm run build builds it into dist/web)');
      assert.match(page.type, /^text\/html/);
    });

    it('serves the OpenAPI document naming the three paths, and its Swagger UI from the gateway itself', async () => {
      const doc = await get('/api/docs-json');
      assert.equal(doc.status, 200);
      assert.match(doc.body.openapi, /^3\./);
      assert.deepEqual(Object.keys(doc.body.paths).sort(), ['/api/bars/{symbol}', '/api/quotes', '/api/quotes/{symbol}/history']);
      const history = doc.body.paths['/api/quotes/{symbol}/history'].get;
      assert.deepEqual(history.parameters.map((p: { name: string }) => p.name).sort(), ['limit', 'since', 'symbol']);
      assert.ok(history.responses['200'] && history.responses['400'] && history.responses['404'] && history.responses['429']);

      const html = await get('/api/docs');
      assert.equal(html.status, 200);
      const assets = [...(html.body as string).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(assets.length >= 3, 'the page loads its script and styles');
      for (const asset of assets) {
        assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} would be fetched from elsewhere`);
        assert.equal((await get(new URL(asset, `http://127.0.0.1/api/docs`).pathname)).status, 200, asset);
      }
    });

    it('renders the Swagger UI in a browser with every request answered by the gateway', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}` }, async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
      });
      try {
        const page = await browser.newPage();
        const origin = `127.0.0.1:${gateway.port}`;
        const outside: string[] = [];
        await page.route('**/*', (route) => {
          const url = new URL(route.request().url());
          if (url.host === origin || url.protocol === 'data:') return route.continue();
          outside.push(url.href);
          return route.abort();
        });
        await page.goto(`http://${origin}/api/docs`);
        await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
        const paths = await page.locator('.opblock-summary-path').allTextContents();
        assert.deepEqual(paths.map((p) => p.replace(/\u200b/g, '')).sort(), ['/api/bars/{symbol}', '/api/quotes', '/api/quotes/{symbol}/history']);
        assert.deepEqual(outside, [], 'the docs page works offline');
      } finally {
        await browser.close();
      }
    });
  });
});
