/**
 * How much of what the gateway wrote to a client the client has read, from WebSocket pings used as
 * read receipts: a client answers a ping only after it has read every frame before it (TCP keeps the
 * order, RFC 6455 has the pong echo the ping's payload), so a pong confirms the bytes written before
 * its ping.
 *
 * `ws`'s bufferedAmount cannot tell: it counts only bytes Node still holds. The kernel takes megabytes
 * per socket first (send buffer up to tcp_wmem's 4 MB, the reader's receive buffer up to tcp_rmem's
 * 32 MB on loopback), so a client reading at a quarter of the gateway's pace held seconds of stale
 * quotes there while bufferedAmount said 0 (bench behind: clients 3,000 seqs behind at +5 s).
 *
 * States: no probe out, or one probe out carrying an id, the bytes written before it and when it was
 * sent. One at a time, sent once `probeEveryBytes` are unconfirmed: a ping per that many bytes, none for
 * an idle client.
 *
 * A client is behind when a receipt has stayed unanswered for longer than READ_GRACE_MS: what it has
 * not read was written that long ago or longer. Not by bytes unread: a burst (the backlog a restarted
 * processor works off, a recovery replay) puts hundreds of KiB on a socket within milliseconds, and the
 * bytes written while a receipt travels count as unread until the next one comes back. On a busy
 * machine a client that read a burst as it came had more than the byte limit "unread" at every pong for
 * over 500 ms (receipts back within 130-380 ms, 0.3-1 MB written meanwhile), was conflated and missed
 * updates (faults e2e, CI of 26 Nov).
 */
export const READ_GRACE_MS = 500;
/**
 * A client found behind gets no grace for this long after: a slow reader is not let through for another
 * grace window each time it catches up (each window fills its socket buffers with frames it will read
 * seconds late), a reader that keeps up still gets one for a burst.
 */
export const SLOW_MEMORY_MS = 5000;
/**
 * Within SLOW_MEMORY_MS of having been behind, a client is behind again once its read receipt has been
 * out this long (READ_GRACE_MS before that), however few bytes are unread: bytes alone let each slow
 * reader hold up to the byte limit unread, at its pace 1-3 s of stale quotes (bench behind: 1,000
 * clients at 100x each read ~600 updates a second, 256 KiB is ~2,000 of them), and the last quote of a
 * burst reached a quarter of them more than 1 s late.
 */
export const SLOW_READ_LAG_MS = 250;

export class ReadReceipts {
  private written = 0;
  private confirmed = 0;
  private probe: { id: number; writtenBefore: number; sentAt: number } | null = null;
  private nextId = 0;
  /** When the client was last found behind (see SLOW_MEMORY_MS). */
  private behindAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly probeEveryBytes: number,
    private readonly limitBytes: number,
    /** The client's socket: an object rather than a callback, which would be a closure per connection. */
    private readonly socket: { ping(payload: Buffer): void },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A receipt out longer than READ_GRACE_MS; within SLOW_MEMORY_MS of having been behind, one out longer
   * than SLOW_READ_LAG_MS or more than `limitBytes` unread: the client is not keeping up. A method, not
   * a getter: it remembers the answer. With no receipt out, fewer than `probeEveryBytes` are unread.
   */
  isBehind(): boolean {
    if (this.probe === null) return false;
    const now = this.now();
    const waited = now - this.probe.sentAt;
    const behind =
      now - this.behindAt <= SLOW_MEMORY_MS ? waited > SLOW_READ_LAG_MS || this.unread > this.limitBytes : waited > READ_GRACE_MS;
    if (behind) this.behindAt = now;
    return behind;
  }

  /** Bytes written that the client has not confirmed reading yet. */
  get unread(): number {
    return this.written - this.confirmed;
  }

  get probing(): boolean {
    return this.probe !== null;
  }

  /** Counts bytes just written; pings once enough are unconfirmed and no ping is out. */
  wrote(bytes: number): void {
    this.written += bytes;
    if (this.probe === null && this.unread >= this.probeEveryBytes) this.sendProbe();
  }

  /** A pong with its payload; true when it answered the probe (other pings, the heartbeat's, carry none). */
  pong(payload: Buffer): boolean {
    const probe = this.probe;
    if (probe === null || payload.length !== 4 || payload.readUInt32BE(0) !== probe.id) return false;
    this.confirmed = probe.writtenBefore;
    this.probe = null;
    if (this.unread >= this.probeEveryBytes) this.sendProbe();
    return true;
  }

  private sendProbe(): void {
    const id = (this.nextId = (this.nextId + 1) >>> 0);
    const payload = Buffer.allocUnsafe(4);
    payload.writeUInt32BE(id, 0);
    this.probe = { id, writtenBefore: this.written, sentAt: this.now() };
    this.socket.ping(payload);
  }
}
