/** A server-to-client WebSocket text frame around `payload` (RFC 6455 5.2: FIN, opcode 1, unmasked). */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81;
  if (head === 2) {
    frame[1] = length;
  } else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, head);
  return frame;
}

let lastPayload: Buffer | undefined;
let lastFrame: Buffer | undefined;

/**
 * The frame of an update, built once per update: the feed hands the same payload Buffer to each of its
 * subscribers in turn, so remembering the last one is enough (a conflated or held update that comes
 * back later is simply framed again).
 */
export function updateFrame(payload: Buffer): Buffer {
  if (payload !== lastPayload) {
    lastFrame = textFrame(payload);
    lastPayload = payload;
  }
  return lastFrame!;
}
