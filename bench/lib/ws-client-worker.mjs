// A forked process holding many WebSocket clients for the latency and fan-out benchmarks.
//
// Each client is a bare TCP socket speaking RFC 6455 by hand: the upgrade, masked frames out, frame
// headers parsed in place in, pings answered. Compared with the `ws` client (a Receiver, a 'message'
// event and a Buffer per frame), that costs a fraction of the CPU per update, so on a 2-core machine the
// clients take as little as possible from the server they measure. Per update it reads the quote's
// "timestamp" without parsing the JSON and records now - timestamp in a histogram, and keeps the last
// seq of each symbol (from the snapshot, then from every update), which is what the client would show.
//
// IPC: {cmd:'connect', port, path, clients:[symbols[]], concurrency, throttleMs?, localAddress?}
//        -> {connected, failed, ms}    subscribe with throttleMs when given; connect from localAddress
//                                      (a loopback address: one source address has ~28k ports towards a port)
//      {cmd:'reset', from?:{symbol:seq}} -> {reset}   zero counters and histogram: a measurement window
//                                          starts; with `from`, a client's window count is of updates
//                                          newer than `from` (not those still on their way from before)
//      {cmd:'report'} -> {report}          counters, histogram and per-client update counts since reset
//      {cmd:'state', id, latest:{symbol:seq}, at} -> {['state-'+id]}   how many (client, symbol) pairs
//                                          held `latest` at epoch ms `at`: counted before the first
//                                          chunk read at or after `at` (a busy worker reads late, and
//                                          what it had not read by then the client did not have)
//      {cmd:'gaps', overMs} -> {gaps}       per client, the longest wait between two updates of one of its
//                                          symbols since reset (until now for the last): how many waited
//                                          longer than overMs, and the longest
//      {cmd:'close'}                       ends every socket and exits
// With `progressMs`, connect also sends {progress: connected so far} that often.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { LatencyHistogram } from './latency-histogram.mjs';

const TIMESTAMP = Buffer.from('"timestamp":');
const SYMBOL = Buffer.from('"symbol":"');
const SEQ = Buffer.from('"seq":');
const SNAPSHOT = Buffer.from('{"type":"snapshot"');
const UPDATE = Buffer.from('{"type":"update"');
const SUBSCRIBED = Buffer.from('{"type":"subscribed"');
const now = () => performance.timeOrigin + performance.now();
/** Every socket's reads land here in turn (see RawClient.open); 64 KiB, as libuv reads by default. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

let histogram = new LatencyHistogram();
let updates = 0;
let bytes = 0;
let negative = 0;
const closes = {};
let errors = 0;
/** Updates whose seq was lower than the last one the client had of the symbol (never expected). */
let backwards = 0;
/** The measurement window's first seq per symbol (`reset` with `from`); null: count every update. */
let windowFrom = null;
/** State checks waiting for their time, earliest first. */
const checks = [];
const clients = [];

/** A masked client frame (text, pong or close) with a payload under 64 KiB. */
function clientFrame(opcode, payload) {
  const length = payload.length;
  const head = length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, head);
  for (let i = 0; i < length; i++) frame[head + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

class RawClient {
  constructor(symbols, throttleMs) {
    this.symbols = symbols;
    this.throttleMs = throttleMs;
    this.updates = 0;
    /** Updates of the window: newer than `windowFrom` of their symbol. */
    this.windowUpdates = 0;
    /** Last seq received per symbol. */
    this.lastSeq = new Map();
    /** When the last update of each symbol arrived (or the window started), and the longest wait of the window. */
    this.lastAt = new Map();
    this.maxGap = 0;
    this.pending = null;
    this.subscribed = false;
  }

  open(port, path, localAddress) {
    return new Promise((resolve, reject) => {
      // `onread` hands each read to a callback in one shared buffer instead of a fresh Buffer and a
      // stream 'data' event per read: a client's CPU per update is what limits how many this machine
      // can hold beside the gateway. Everything kept past the callback is copied (see receive).
      const socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n, buf) => void this.onBytes(buf.subarray(0, n)) } });
      this.socket = socket;
      const timer = setTimeout(() => fail(new Error('no upgrade and subscription within 30 s')), 30_000);
      const fail = (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let head = Buffer.alloc(0);
      const onHead = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.onBytes = (data) => this.receive(data);
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!status.startsWith('HTTP/1.1 101')) return fail(new Error(`upgrade refused: ${status}`));
        this.onSubscribed = () => {
          clearTimeout(timer);
          socket.off('error', fail);
          socket.on('error', () => errors++);
          resolve();
        };
        socket.once('close', () => (this.closed = true));
        socket.write(clientFrame(0x1, Buffer.from(JSON.stringify({ action: 'subscribe', payload: { symbols: this.symbols, throttleMs: this.throttleMs } }))));
        if (head.length > end + 4) this.receive(head.subarray(end + 4));
      };
      this.onBytes = onHead;
    });
  }

  /** Parses every complete frame in `chunk` (plus what was left over), keeping a partial one for later. */
  receive(chunk) {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const arrived = now();
    while (checks.length > 0 && arrived >= checks[0].at) answer(checks.shift());
    let at = 0;
    const end = buf.length;
    while (end - at >= 2) {
      const opcode = buf[at] & 0x0f;
      let length = buf[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (end - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (end - at < 10) break;
        length = buf.readUInt32BE(at + 6);
        start = at + 10;
      }
      if (end - start < length) break;
      const stop = start + length;
      if (opcode === 0x1) this.text(buf, start, stop, arrived);
      else if (opcode === 0x9) this.socket.write(clientFrame(0xa, buf.subarray(start, stop)));
      else if (opcode === 0x8) {
        const code = length >= 2 ? buf.readUInt16BE(start) : 1005;
        closes[code] = (closes[code] ?? 0) + 1;
        this.socket.end();
      }
      at = stop;
    }
    if (at < end) this.pending = Buffer.from(buf.subarray(at));
  }

  text(buf, start, stop, arrived) {
    if (buf.compare(UPDATE, 0, UPDATE.length, start, start + UPDATE.length) === 0) {
      updates++;
      this.updates++;
      bytes += stop - start;
      let i = buf.indexOf(TIMESTAMP, start) + TIMESTAMP.length;
      let timestamp = 0;
      for (let c = buf[i]; c >= 48 && c <= 57 && i < stop; c = buf[++i]) timestamp = timestamp * 10 + (c - 48);
      const latency = arrived - timestamp;
      if (latency < 0) negative++;
      histogram.record(latency);
      this.track(buf, start, stop, arrived);
    } else if (buf.compare(SNAPSHOT, 0, SNAPSHOT.length, start, start + SNAPSHOT.length) === 0) {
      // Once per subscribe, so parsing it whole costs nothing that matters.
      for (const quote of JSON.parse(buf.toString('utf8', start, stop)).payload.quotes) this.lastSeq.set(quote.symbol, quote.seq);
    } else if (!this.subscribed && buf.compare(SUBSCRIBED, 0, SUBSCRIBED.length, start, start + SUBSCRIBED.length) === 0) {
      this.subscribed = true;
      this.onSubscribed();
    }
  }

  /** Records the update's seq as its symbol's last, read in place like the timestamp. */
  track(buf, start, stop, arrived) {
    const s = buf.indexOf(SYMBOL, start) + SYMBOL.length;
    const symbol = buf.toString('latin1', s, buf.indexOf(0x22, s));
    const previous = this.lastAt.get(symbol);
    if (previous !== undefined && arrived - previous > this.maxGap) this.maxGap = arrived - previous;
    this.lastAt.set(symbol, arrived);
    let i = buf.indexOf(SEQ, s) + SEQ.length;
    let seq = 0;
    for (let c = buf[i]; c >= 48 && c <= 57 && i < stop; c = buf[++i]) seq = seq * 10 + (c - 48);
    if (seq < (this.lastSeq.get(symbol) ?? 0)) backwards++;
    this.lastSeq.set(symbol, seq);
    if (windowFrom === null || seq > (windowFrom[symbol] ?? 0)) this.windowUpdates++;
  }
}

/**
 * Over every client and symbol: pairs whose last seq is `latest`'s, behind it, or none at all; per
 * client, the window's updates against those published in it (`latest` - `from` of its symbols).
 */
function state(latest) {
  const out = { clients: clients.length, open: 0, pairs: 0, atLatest: 0, behind: 0, none: 0, noneStored: 0, clientsAtLatest: 0, maxSeqsBehind: 0, backwards, received: 0, expected: 0, shareMin: Infinity };
  for (const c of clients) {
    if (!c.closed) out.open++;
    let all = true;
    let expected = 0;
    for (const symbol of c.symbols) {
      out.pairs++;
      const want = latest[symbol];
      if (want === undefined) {
        out.noneStored++;
        continue;
      }
      const have = c.lastSeq.get(symbol);
      if (windowFrom) expected += want - (windowFrom[symbol] ?? want);
      if (have === undefined) out.none++;
      else if (have >= want) out.atLatest++;
      else {
        out.behind++;
        out.maxSeqsBehind = Math.max(out.maxSeqsBehind, want - have);
      }
      if (have === undefined || have < want) all = false;
    }
    if (all) out.clientsAtLatest++;
    out.received += c.windowUpdates;
    out.expected += expected;
    if (expected > 0) out.shareMin = Math.min(out.shareMin, c.windowUpdates / expected);
  }
  return out;
}

function scheduleCheck({ id, latest, at = now() }) {
  const check = { id, latest, at };
  check.timer = setTimeout(() => {
    const i = checks.indexOf(check);
    if (i >= 0) answer(...checks.splice(i, 1));
  }, Math.max(0, at - now()));
  checks.push(check);
  checks.sort((a, b) => a.at - b.at);
}

function answer(check) {
  clearTimeout(check.timer);
  process.send({ [`state-${check.id}`]: { ...state(check.latest), cutLateMs: Math.round(now() - check.at) } });
}

async function connectAll({ port, path, clients: specs, concurrency = 50, throttleMs, localAddress, progressMs }) {
  const started = performance.now();
  const progress = progressMs ? setInterval(() => process.send({ progress: clients.length }), progressMs) : null;
  let failed = 0;
  let firstError;
  let next = 0;
  /** Failures by their reason: the refusal's HTTP status line, or the error's message. */
  const failures = {};
  const lanes = Array.from({ length: Math.min(concurrency, specs.length) }, async () => {
    while (next < specs.length) {
      const client = new RawClient(specs[next++], throttleMs);
      try {
        await client.open(port, path, localAddress);
        clients.push(client);
      } catch (err) {
        failed++;
        firstError ??= err.message;
        failures[err.message] = (failures[err.message] ?? 0) + 1;
      }
    }
  });
  await Promise.all(lanes);
  if (progress) clearInterval(progress);
  return { connected: clients.length, failed, firstError, failures, ms: Math.round(performance.now() - started) };
}

function gaps(overMs) {
  const at = now();
  let over = 0;
  let longest = 0;
  for (const c of clients) {
    let gap = c.maxGap;
    for (const last of c.lastAt.values()) gap = Math.max(gap, at - last);
    if (gap > overMs) over++;
    longest = Math.max(longest, gap);
  }
  return { clients: clients.length, over, longestMs: Math.round(longest) };
}

function report() {
  let min = Infinity;
  let max = 0;
  let open = 0;
  for (const c of clients) {
    min = Math.min(min, c.updates);
    max = Math.max(max, c.updates);
    if (!c.closed) open++;
  }
  return { updates, bytes, negative, closes, errors, open, perClientMin: clients.length ? min : 0, perClientMax: max, histogram: histogram.toJSON() };
}

process.on('message', async (m) => {
  if (m.cmd === 'connect') process.send({ connected: await connectAll(m) });
  else if (m.cmd === 'reset') {
    histogram = new LatencyHistogram();
    updates = bytes = negative = errors = 0;
    backwards = 0;
    windowFrom = m.from ?? null;
    for (const key of Object.keys(closes)) delete closes[key];
    const at = now();
    for (const c of clients) {
      c.updates = c.windowUpdates = 0;
      c.maxGap = 0;
      for (const symbol of c.symbols) c.lastAt.set(symbol, at);
    }
    process.send({ reset: true });
  } else if (m.cmd === 'report') process.send({ report: report() });
  else if (m.cmd === 'state') scheduleCheck(m);
  else if (m.cmd === 'gaps') process.send({ gaps: gaps(m.overMs) });
  else if (m.cmd === 'close') {
    for (const c of clients) c.socket.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
