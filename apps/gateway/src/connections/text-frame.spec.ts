import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ws from 'ws';
import { textFrame } from './text-frame.js';

/** ws's frame parser, which its typings do not declare. */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => FrameReceiver };

/** What a real `ws` client makes of the bytes: the text messages in them. */
function parse(bytes: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    assert.equal(isBinary, false);
    messages.push(data.toString());
  });
  receiver.write(bytes);
  return messages;
}

describe('textFrame', () => {
  it('frames payloads of every length encoding, and multi-byte text, as a ws client reads back whole', () => {
    for (const length of [0, 5, 125, 126, 200, 65_535, 65_536, 70_000]) {
      const payload = 'x'.repeat(length);
      assert.deepEqual(parse(textFrame(payload)), [payload], `length ${length}`);
    }
  });

  it('counts the payload length in bytes, not characters', () => {
    assert.deepEqual(parse(textFrame('{"name":"Société Générale €"}')), ['{"name":"Société Générale €"}']);
  });

  it('frames back-to-back updates that parse as separate messages in order', () => {
    const bytes = Buffer.concat(['{"a":1}', '{"b":2}'].map((s) => textFrame(s)));
    assert.deepEqual(parse(bytes), ['{"a":1}', '{"b":2}']);
  });
});
