import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AppProcess } from '../support/app-process.js';
import { System } from '../support/system.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Debian's package (apt-get install chromium); never a browser downloaded by Playwright. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'test-results', 'watchlist.png');
const DEFAULTS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'];
/** Formats a trader expects, as the page must show them. */
const PRICE = /^\d{1,3}(,\d{3})*\.\d{2}$/;
const CHANGE = /^([+-]\d{1,3}(,\d{3})*|0)\.\d{2}$/;
const PERCENT = /^([+-]\d+|0)\.\d{2}%$/;
const VOLUME = /^\d{1,3}(,\d{3})*$/;
/** The candle colours of the chart (up #2ebd85, down #f6465d), as RGB. */
const CANDLE_RGB = [
  [46, 189, 133],
  [246, 70, 93],
];

/** What the functions run inside the page touch; the root tsconfig has no DOM lib, and must not get one. */
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: {
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): Iterable<PageCanvas>;
};
declare const localStorage: { getItem(key: string): string | null };

const byTestId = (id: string) => `[data-testid="${id}"]`;
const rowSelector = (symbol: string) => `[data-testid="quote-row"][data-symbol="${symbol}"]`;

/** Why this machine cannot run the test, or null; a missing browser or build fails the test rather than skipping it. */
function missingPrerequisite(): string | null {
  if (!existsSync(CHROMIUM)) {
    return `Chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`;
  }
  if (!existsSync(join(ROOT, 'dist', 'web', 'index.html'))) {
    return 'The watchlist page is not built (dist/web/index.html is missing): run `npm run build:web` first';
  }
  return null;
}

const missing = missingPrerequisite();
if (missing) it('has Chromium and the built watchlist page', () => assert.fail(missing));
else describe('watchlist page served by the gateway, driven in headless Chromium over the real pipeline', () => {
  let system: System;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const outsideRequests: string[] = [];
  /** Every quote seq the page was sent (snapshots, replays and updates), per symbol, in arrival order. */
  const seqsReceived = new Map<string, number[]>();
  const framesSent: string[] = [];
  const barRequests: Array<{ url: string; status: number }> = [];

  const cell = (symbol: string, testid: string) => page.locator(`${rowSelector(symbol)} ${byTestId(testid)}`);
  const listedSymbols = () =>
    page.locator(byTestId('quote-row')).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-symbol')));
  const connectionState = () => page.locator(byTestId('connection-status')).getAttribute('data-state');
  const waitForState = (state: string, timeout = 15_000) =>
    page.waitForSelector(`${byTestId('connection-status')}[data-state="${state}"]`, { timeout });
  const addSymbol = async (text: string) => {
    await page.fill(byTestId('symbol-input'), text);
    await page.click(byTestId('add-symbol'));
  };
  const notice = () => page.locator(byTestId('watchlist-notice')).textContent();
  const candleCount = async () => Number((await page.locator(byTestId('price-chart')).getAttribute('data-candles')) ?? 0);
  const seqsOf = (symbol: string) => seqsReceived.get(symbol) ?? [];
  /** Pixels of the chart's canvases in either candle colour: candles drawn, not just an empty grid. */
  const candlePixels = () =>
    page.evaluate((colours) => {
      let count = 0;
      for (const canvas of document.querySelectorAll('[data-testid="price-chart"] canvas')) {
        const context = canvas.getContext('2d');
        if (!context || canvas.width === 0 || canvas.height === 0) continue;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] > 200 && colours.some(([r, g, b]) => Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12)) count++;
        }
      }
      return count;
    }, CANDLE_RGB);
  /**
   * Candle pixels once there are more than `min`, or the count after `timeoutMs`: the chart paints on
   * an animation frame after its data changes, so a read right after `data-candles` is set can see an
   * empty canvas.
   */
  async function drawnCandlePixels(min = 20, timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pixels = await candlePixels();
      if (pixels > min || Date.now() > deadline) return pixels;
      await page.waitForTimeout(100);
    }
  }
  const savedList = () => page.evaluate(() => JSON.parse(localStorage.getItem('stock-watchlist:symbols') ?? 'null') as unknown);

  /** Resolves once the symbol's row shows a price, then once its price or volume changes from that. */
  async function waitForTicks(symbol: string, timeout = 15_000) {
    const row = rowSelector(symbol);
    await page.waitForFunction(
      (row) => /\d/.test(document.querySelector(`${row} [data-testid="last-price"]`)?.textContent ?? ''),
      row,
      { timeout },
    );
    const read = (row: string) =>
      ['last-price', 'volume'].map((id) => document.querySelector(`${row} [data-testid="${id}"]`)?.textContent).join('|');
    const first = await page.evaluate(read, row);
    await page.waitForFunction(
      ([row, first]) =>
        ['last-price', 'volume'].map((id) => document.querySelector(`${row} [data-testid="${id}"]`)?.textContent).join('|') !== first,
      [row, first] as const,
      { timeout },
    );
  }

  before(async () => {
    // NVDA is traded too, so the test can add a symbol that is not on the default list.
    system = await System.start({ SYMBOLS: [...DEFAULTS, 'NVDA'].join(',') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (err) => pageErrors.push(err.stack ?? String(err)));
    const gatewayOrigin = `127.0.0.1:${system.apps.gateway!.port}`;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.host !== gatewayOrigin && url.protocol !== 'data:') outsideRequests.push(request.url());
    });
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/bars/')) barRequests.push({ url: response.url(), status: response.status() });
    });
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => framesSent.push(String(payload)));
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload: { symbol: string; seq: number; quotes?: Array<{ symbol: string; seq: number }> } };
        const quotes = message.type === 'update' ? [message.payload] : message.type === 'snapshot' ? message.payload.quotes! : [];
        for (const { symbol, seq } of quotes) seqsReceived.set(symbol, [...seqsOf(symbol), seq]);
      });
    });
  }, { timeout: 180_000 });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('opens on the default watchlist and shows live, trader-formatted prices that change as ticks arrive', { timeout: 60_000 }, async () => {
    await page.goto(`http://127.0.0.1:${system.apps.gateway!.port}/`);
    await waitForState('live');
    assert.deepEqual(await listedSymbols(), DEFAULTS);
    for (const symbol of DEFAULTS) await waitForTicks(symbol);

    assert.match((await cell('AAPL', 'last-price').textContent())!, PRICE);
    assert.match((await cell('AAPL', 'change').textContent())!, CHANGE);
    assert.match((await cell('AAPL', 'change-percent').textContent())!, PERCENT);
    assert.match((await cell('AAPL', 'bid').textContent())!, PRICE);
    assert.match((await cell('AAPL', 'ask').textContent())!, PRICE);
    assert.match((await cell('AAPL', 'volume').textContent())!, VOLUME);
    assert.match((await page.locator(`${rowSelector('AAPL')} polyline`).getAttribute('points'))!, /^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/);
    assert.match((await page.locator(rowSelector('AAPL')).getAttribute('data-tick'))!, /^(up|down)$/, 'rows flash on ticks');

    assert.equal(await page.locator(byTestId('chart-symbol')).textContent(), 'AAPL', 'the first symbol is charted');
    assert.ok((await page.locator(`${byTestId('price-chart')} canvas`).count()) > 0, 'lightweight-charts drew the chart');
    await page.click(`${rowSelector('MSFT')} ${byTestId('select-symbol')}`);
    assert.equal(await page.locator(byTestId('chart-symbol')).textContent(), 'MSFT');
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="chart-price"]')?.textContent ?? ''));
  });

  it('charts the selected symbol as 1-minute candles: loaded over REST at page load, then moved by the bar stream', { timeout: 60_000 }, async () => {
    await page.click(`${rowSelector('AAPL')} ${byTestId('select-symbol')}`);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="price-chart"]')?.getAttribute('data-candles') ?? 0) >= 1);
    const aaplBars = barRequests.filter((r) => new URL(r.url).pathname === '/api/bars/AAPL');
    assert.ok(aaplBars.length > 0, 'the page asked the REST API for the bars');
    assert.deepEqual(aaplBars.map((r) => r.status), aaplBars.map(() => 200), 'and got them');
    assert.equal(new URL(aaplBars[0].url).searchParams.get('interval'), '1m');
    assert.ok(framesSent.some((f) => f.includes('"subscribeBars"') && f.includes('"AAPL"')), 'it follows the bar stream of the selected symbol');
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-price"]')?.textContent !== '');
    const pixels = await drawnCandlePixels();
    assert.ok(pixels > 20, `candles are drawn (${pixels} pixels in the candle colours)`);
  });

  it('rejects a malformed symbol with a message and adds a traded one, upper-cased, with live prices', { timeout: 30_000 }, async () => {
    await addSymbol('12$');
    assert.match((await notice())!, /"12\$" is not a ticker symbol/);
    assert.equal(await page.locator(byTestId('symbol-input')).getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await listedSymbols(), DEFAULTS);

    await addSymbol(' nvda ');
    await waitForTicks('NVDA');
    assert.deepEqual(await listedSymbols(), [...DEFAULTS, 'NVDA']);
    assert.equal(await page.locator(byTestId('symbol-input')).inputValue(), '', 'the input is cleared for the next symbol');
  });

  it('takes an untraded symbol back off the list when the gateway answers UNKNOWN_SYMBOL, and says why', { timeout: 30_000 }, async () => {
    await addSymbol('ZZZZ');
    await page.waitForFunction(() => /ZZZZ is not traded/.test(document.querySelector('[data-testid="watchlist-notice"]')?.textContent ?? ''));
    await page.waitForSelector(rowSelector('ZZZZ'), { state: 'detached' });
    assert.deepEqual(await savedList(), [...DEFAULTS, 'NVDA']);
  });

  it('removes a symbol with its remove button and saves the list', { timeout: 30_000 }, async () => {
    await page.click(`${rowSelector('AMZN')} ${byTestId('remove-symbol')}`);
    await page.waitForSelector(rowSelector('AMZN'), { state: 'detached' });
    assert.deepEqual(await savedList(), ['AAPL', 'MSFT', 'GOOG', 'TSLA', 'NVDA']);
  });

  it('restores the saved watchlist after a reload and streams it again', { timeout: 30_000 }, async () => {
    await page.reload();
    await waitForState('live');
    assert.deepEqual(await listedSymbols(), ['AAPL', 'MSFT', 'GOOG', 'TSLA', 'NVDA']);
    await waitForTicks('NVDA');
    await waitForTicks('TSLA');
  });

  it('shows reconnecting with a countdown while the gateway is down, then goes live and streams again, with no hole', { timeout: 90_000 }, async () => {
    const gateway = system.apps.gateway!;
    const symbols = ['AAPL', 'MSFT', 'GOOG', 'TSLA', 'NVDA'];
    const seqsBefore = new Map(symbols.map((s) => [s, seqsOf(s).length]));
    const candlesBefore = await candleCount();
    const sentBefore = framesSent.length;
    await gateway.stop();
    await waitForState('reconnecting', 10_000);
    await page.waitForFunction(() => /Reconnecting in \d+s/.test(document.querySelector('[data-testid="connection-status"]')?.textContent ?? ''));
    const reconnecting = await page.locator(byTestId('connection-status')).textContent();

    const restartedAt = Date.now();
    system.apps.gateway = await AppProcess.start('gateway', gateway.port, { ...system.env, GATEWAY_PORT: String(gateway.port) });
    await waitForState('live', 45_000);
    const liveAfterMs = Date.now() - restartedAt;
    // The page re-subscribed its whole list: every symbol ticks on the new gateway.
    for (const symbol of symbols) await waitForTicks(symbol);
    assert.equal(await connectionState(), 'live');
    console.log(`# status while down: "${reconnecting?.trim()}"; live again ${liveAfterMs} ms after the gateway was ready`);

    // It asked for what it missed (since = the last seq it held) and got all of it: from the last quote
    // before the stop to the latest, every seq arrived, so the sparklines have no hole.
    const resubscribe = framesSent.slice(sentBefore).map((f) => JSON.parse(f) as { action: string; payload?: { since?: Record<string, number> } });
    const since = resubscribe.find((f) => f.action === 'subscribe')?.payload?.since ?? {};
    for (const symbol of symbols) {
      const seqs = [...new Set(seqsOf(symbol).slice(Math.max(0, seqsBefore.get(symbol)! - 1)))].sort((a, b) => a - b);
      const holes = seqs.filter((seq, i) => i > 0 && seq !== seqs[i - 1] + 1);
      assert.deepEqual(holes, [], `${symbol}: seqs ${seqs[0]}..${seqs.at(-1)} arrived without a hole`);
      if (symbol === 'AAPL') console.log(`# AAPL: since ${since.AAPL}, seqs ${seqs[0]}..${seqs.at(-1)} received without a hole across the restart`);
    }
    assert.deepEqual(Object.keys(since).sort(), [...symbols].sort(), 'the re-subscribe carried since for every symbol');
    assert.equal(await page.locator(byTestId('gap-notice')).isHidden(), true, 'no gap notice: nothing was lost');
    assert.ok((await candleCount()) >= candlesBefore, 'the chart kept its candles and fetched the minutes missed');
  });

  it('looks like a trading screen: the selected symbol charted as candles with its price, every row priced with a sparkline (screenshot in test-results/watchlist.png)', { timeout: 30_000 }, async () => {
    await page.click(`${rowSelector('NVDA')} ${byTestId('select-symbol')}`);
    await page.waitForTimeout(6000); // let the chart and sparklines fill in
    assert.equal(await page.locator(`${rowSelector('NVDA')} ${byTestId('select-symbol')}`).getAttribute('aria-pressed'), 'true');
    assert.equal((await page.locator(byTestId('chart-symbol')).textContent())?.trim(), 'NVDA');
    const rowPrice = await page.locator(`${rowSelector('NVDA')} ${byTestId('last-price')}`).textContent();
    assert.match(rowPrice?.trim() ?? '', PRICE, 'the row shows a trader-formatted price');
    assert.match((await page.locator(byTestId('chart-price')).textContent()) ?? '', /\d+\.\d{2}/);

    // The candles are drawn, not just an empty grid.
    const pixels = await drawnCandlePixels();
    assert.ok(pixels > 20, `the chart draws NVDA's candles (${pixels} pixels in the candle colours)`);

    // Every row has a sparkline with a line through several points.
    for (const symbol of await listedSymbols()) {
      const points = await page.locator(`${rowSelector(symbol)} ${byTestId('sparkline')} polyline, ${rowSelector(symbol)} ${byTestId('sparkline')} path`).first().evaluate(
        (line) => (line.getAttribute('points') ?? line.getAttribute('d') ?? '').trim().split(/[\sLM]+/).filter(Boolean).length,
      );
      assert.ok(points >= 3, `${symbol}'s sparkline has a line (${points} points)`);
    }

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    assert.ok(existsSync(SCREENSHOT));
  });

  it('fetched nothing but the gateway and threw no page errors', () => {
    assert.deepEqual(outsideRequests, []);
    assert.deepEqual(pageErrors, []);
  });
});
