// Baseline child for the fan-out benchmark: the least a server can do to broadcast the gateway's
// update frames. A plain `ws` WebSocketServer, a Map from symbol to sockets, the same Redis channels
// and the same frame (`{"type":"update","payload":<quote>}`, built once per quote, sent to every
// subscriber) with ws.send. No Nest, no limits, no conflation, no heartbeats.
// `tuned` does what the gateway does on its hot path instead: corks each socket for a burst of updates
// and writes one prebuilt WebSocket frame per update to it, so the gateway can also be compared with
// the same technique without Nest and without its per-client checks.
import { WebSocketServer } from 'ws';
import { Redis } from 'ioredis';

const { redisUrl, prefix, tuned } = JSON.parse(process.argv[2]);
const UPDATE_HEAD = '{"type":"update","payload":';
const channelHead = `${prefix}quotes:`;
const bySymbol = new Map();
const feed = new Redis(redisUrl);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws', perMessageDeflate: false });

wss.on('connection', (ws) => {
  const mine = new Set();
  ws.on('message', (data) => {
    const symbols = JSON.parse(data.toString()).payload.symbols;
    for (const symbol of symbols) {
      let sockets = bySymbol.get(symbol);
      if (!sockets) {
        bySymbol.set(symbol, (sockets = new Set()));
        void feed.subscribe(`${channelHead}{${symbol}}`);
      }
      sockets.add(ws);
      mine.add(symbol);
    }
    ws.send(JSON.stringify({ type: 'subscribed', payload: { symbols } }));
  });
  ws.on('close', () => {
    for (const symbol of mine) bySymbol.get(symbol)?.delete(ws);
  });
  ws.on('error', () => undefined);
});

/** RFC 6455 server text frame (FIN, opcode 1, unmasked) around the payload; quotes are < 64 KiB. */
function textFrame(payload) {
  const head = payload.length < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(head + payload.length);
  frame[0] = 0x81;
  if (head === 2) frame[1] = payload.length;
  else {
    frame[1] = 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  payload.copy(frame, head);
  return frame;
}

const endBurst = (ws) => {
  ws.corkedForBurst = false;
  ws._socket.uncork();
};

feed.on('message', (channel, quote) => {
  const sockets = bySymbol.get(channel.slice(channelHead.length + 1, -1));
  if (!sockets) return;
  const payload = Buffer.from(UPDATE_HEAD + quote + '}');
  if (!tuned) {
    for (const ws of sockets) ws.send(payload, { binary: false });
    return;
  }
  const frame = textFrame(payload);
  for (const ws of sockets) {
    if (!ws.corkedForBurst) {
      ws.corkedForBurst = true;
      ws._socket.cork();
      process.nextTick(endBurst, ws);
    }
    ws._socket.write(frame);
  }
});

wss.on('listening', () => process.send({ port: wss.address().port }));
process.on('message', (m) => {
  if (m === 'stop') {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    feed.disconnect();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
