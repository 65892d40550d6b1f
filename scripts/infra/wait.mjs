// Readiness probes that speak the real wire protocols (no client libraries needed):
// plain TCP, Redis RESP `PING`, and Kafka ApiVersions + Metadata requests.
import net from 'node:net';
import { sleep } from './common.mjs';

const HOST = '127.0.0.1';

/** Open a socket, send `payload`, resolve with the response once `complete(buf)` returns a value. */
function exchange(port, payload, complete, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const sock = net.connect({ host: HOST, port });
    sock.setTimeout(timeoutMs, () => finish(new Error(`timeout talking to ${HOST}:${port}`)));
    sock.on('connect', () => (payload ? sock.write(payload) : finish(null, true)));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      try {
        const value = complete(buf);
        if (value !== undefined) finish(null, value);
      } catch (e) {
        finish(e);
      }
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`connection to ${HOST}:${port} closed`)));
  });
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export async function tcpOpen(port, timeoutMs = 1000) {
  try {
    return await exchange(port, null, () => undefined, timeoutMs);
  } catch {
    return false;
  }
}

/** First RESP line of the reply to PING ('+PONG', '-NOAUTH ...', '-LOADING ...'), or null. */
export async function redisPing(port, timeoutMs = 1000) {
  try {
    return await exchange(port, '*1\r\n$4\r\nPING\r\n', (b) => {
      const i = b.indexOf('\r\n');
      return i >= 0 ? b.subarray(0, i).toString() : undefined;
    }, timeoutMs);
  } catch {
    return null;
  }
}

// ---- Kafka ---------------------------------------------------------------------------------------

let correlation = 1;
/** One non-flexible request (header v1) -> response body (after size + correlation id). */
function kafkaRequest(port, apiKey, apiVersion, body, timeoutMs) {
  const clientId = Buffer.from('infra-probe');
  const head = Buffer.alloc(14);
  head.writeInt32BE(10 + clientId.length + body.length, 0);
  head.writeInt16BE(apiKey, 4);
  head.writeInt16BE(apiVersion, 6);
  head.writeInt32BE(correlation++ & 0x7fffffff, 8);
  head.writeInt16BE(clientId.length, 12);
  return exchange(port, Buffer.concat([head, clientId, body]), (b) => {
    if (b.length < 4 || b.length < 4 + b.readInt32BE(0)) return undefined;
    return b.subarray(8, 4 + b.readInt32BE(0));
  }, timeoutMs);
}

function reader(buf) {
  let o = 0;
  const r = {
    i16: () => ((o += 2), buf.readInt16BE(o - 2)),
    i32: () => ((o += 4), buf.readInt32BE(o - 4)),
    str: () => {
      const n = r.i16();
      if (n < 0) return null;
      o += n;
      return buf.toString('utf8', o - n, o);
    },
  };
  return r;
}

/**
 * Ask a Kafka broker on 127.0.0.1:port for its ApiVersions and cluster metadata.
 * Resolves { clusterId, controllerId, brokers: [{ nodeId, host, port }] }; rejects if the
 * thing on the port does not speak Kafka or is not serving requests yet.
 * A KRaft broker only answers once it has caught up with the metadata log.
 */
export async function kafkaProbe(port, timeoutMs = 2000) {
  const av = reader(await kafkaRequest(port, 18, 0, Buffer.alloc(0), timeoutMs));
  const err = av.i16();
  if (err !== 0) throw new Error(`ApiVersions error ${err}`);
  let meta = null;
  for (let n = av.i32(); n > 0; n--) {
    const [key, min, max] = [av.i16(), av.i16(), av.i16()];
    if (key === 3) meta = { min, max };
  }
  if (!meta) throw new Error('broker does not offer Metadata');
  // v4..v8 are the non-flexible Metadata versions still served by Kafka 4.x.
  const version = Math.max(meta.min, 4);
  if (version > Math.min(meta.max, 8)) return { clusterId: null, controllerId: -1, brokers: [] };
  // topics: [] (none), allow_auto_topic_creation: false
  const body = Buffer.from([0, 0, 0, 0, 0]);
  const md = reader(await kafkaRequest(port, 3, version, body, timeoutMs));
  md.i32(); // throttle_time_ms
  const brokers = [];
  for (let n = md.i32(); n > 0; n--) {
    brokers.push({ nodeId: md.i32(), host: md.str(), port: md.i32() });
    md.str(); // rack
  }
  return { clusterId: md.str(), controllerId: md.i32(), brokers };
}

/**
 * Poll `check()` until it returns a truthy value; `abort()` may return an error message to
 * stop early (e.g. the process died). Rejects with Error(message) on timeout.
 */
export async function waitFor(check, { timeoutMs, intervalMs = 300, what, abort = () => null }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    const why = abort();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * After a kill, wait until the ports stop accepting connections: the main thread of a
 * multi-threaded process (a JVM) turns zombie before the other threads have released its sockets.
 */
export async function waitPortsClosed(ports, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while ((await tcpOpen(port, 500)) && Date.now() < deadline) await sleep(100);
  }
}
