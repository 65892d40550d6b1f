import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A connection through the proxy: what its client sent lately, and whether Redis's replies to it are held back. */
interface Link {
  client: Socket;
  server: Socket;
  /** The tail of what the client sent, so a pattern split over two TCP reads is still seen. */
  sent: string;
  /** The connection's name from CLIENT SETNAME (`commands`, `feed`, ...), once seen. */
  name: string | null;
  held: Buffer[] | null;
}

/** A rule holding back Redis's replies on one connection from a moment on, until released. */
export interface ReplyHold {
  /** Resolves once the rule took hold of a connection. */
  readonly caught: Promise<void>;
  /** Lets the held replies through, in order, and every later one. */
  release(): void;
}

const SETNAME = /setname\r\n\$\d+\r\n([^\r]+)\r\n/i;
const TAIL = 4096;

/**
 * A TCP proxy in front of a Redis server that can hold back Redis's replies on chosen connections: a
 * slow network or a slow shard made deterministic, so a test decides what the gateway has read when.
 * Commands always pass at once (Redis executes them when sent); only the replies wait. Connections
 * are told apart by the name ioredis gives them (CLIENT SETNAME: the gateway's `commands` and `feed`).
 */
export class RedisProxy {
  private readonly links = new Set<Link>();
  private readonly armed: Array<{ pattern: string; catch: (link: Link) => void }> = [];
  private readonly server: Server;

  private constructor(private readonly redisPort: number) {
    this.server = createServer((client) => this.open(client));
  }

  static async start(redisPort: number): Promise<RedisProxy> {
    const proxy = new RedisProxy(redisPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Holds every reply to the named connections from now on (for `feed`: every SUBSCRIBE answer and every message). */
  holdConnection(name: string): ReplyHold {
    const caught: Link[] = [];
    for (const link of this.links) {
      if (link.name === name) {
        link.held ??= [];
        caught.push(link);
      }
    }
    if (caught.length === 0) throw new Error(`no connection named ${name} through the proxy`);
    return { caught: Promise.resolve(), release: () => caught.forEach(flush) };
  }

  /** Holds the replies of the next connection that sends a command containing `pattern` (a key or channel name), from that command on. */
  holdAfterCommand(pattern: string): ReplyHold {
    let resolveCaught!: () => void;
    const caught = new Promise<void>((resolve) => (resolveCaught = resolve));
    let link: Link | null = null;
    let released = false;
    const rule = {
      pattern,
      catch: (l: Link) => {
        link = l;
        if (!released) l.held ??= [];
        resolveCaught();
      },
    };
    this.armed.push(rule);
    // Only what is sent from now on counts.
    for (const l of this.links) l.sent = '';
    return {
      caught,
      release: () => {
        released = true;
        const at = this.armed.indexOf(rule);
        if (at >= 0) this.armed.splice(at, 1);
        if (link) flush(link);
      },
    };
  }

  async stop(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.server.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private open(client: Socket): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.redisPort });
    const link: Link = { client, server: upstream, sent: '', name: null, held: null };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => {
      this.sawCommands(link, chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.held) link.held.push(chunk);
      else client.write(chunk);
    });
    const end = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  private sawCommands(link: Link, chunk: Buffer): void {
    link.sent = (link.sent + chunk.toString('latin1')).slice(-TAIL);
    link.name ??= SETNAME.exec(link.sent)?.[1] ?? null;
    for (let i = 0; i < this.armed.length; i++) {
      const rule = this.armed[i];
      if (!link.sent.includes(rule.pattern)) continue;
      this.armed.splice(i--, 1);
      // Replies to commands sent in the same write come after this point: held too, as the rule wants.
      rule.catch(link);
    }
  }
}

function flush(link: Link): void {
  const held = link.held ?? [];
  link.held = null;
  for (const chunk of held) link.client.write(chunk);
}
