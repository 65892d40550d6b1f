import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export type AppName = 'generator' | 'processor' | 'gateway';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How an app process is launched: node's arguments and the working directory; `command` runs instead of node, with `args` (a wrapper such as prlimit). */
export interface Launch {
  args: string[];
  cwd: string;
  command?: string;
}

/** The built app run straight from dist/, as `npm start` runs it. */
export function builtApp(name: AppName): Launch {
  return { args: ['--enable-source-maps', `dist/apps/${name}/src/main.js`], cwd: ROOT };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

/** One of the real, built apps running as a child process, as `npm start` runs it. */
export class AppProcess {
  output = '';
  readonly exited: Promise<Exit>;
  private stopAt = Date.now();

  private constructor(
    readonly name: AppName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - this.stopAt })),
    );
  }

  /** Spawns the app (by default from dist/); resolves when GET /health answers 200. */
  static async start(
    name: AppName,
    port: number,
    env: Record<string, string>,
    timeoutMs = 60_000,
    launch: Launch = builtApp(name),
  ): Promise<AppProcess> {
    const child = spawn(launch.command ?? process.execPath, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, LOG_LEVEL: 'log', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(name, port, child);
    await app.waitUntilReady(timeoutMs);
    return app;
  }

  /**
   * Spawns the app and resolves when it exits, for start-up failures. An app that starts after all is
   * killed after `timeoutMs` (exit by SIGKILL), so the test fails instead of waiting on it forever.
   */
  static async run(name: AppName, env: Record<string, string>, timeoutMs = 30_000): Promise<{ exit: Exit; output: string }> {
    const child = spawn(process.execPath, [`dist/apps/${name}/src/main.js`], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(name, 0, child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exit = await app.exited;
    clearTimeout(timer);
    return { exit, output: app.output };
  }

  get pid(): number {
    return this.child.pid!;
  }

  async health(path = '/health'): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.json() };
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      try {
        if ((await this.health()).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    this.child.kill('SIGKILL');
    throw new Error(`${this.name} did not become ready in ${timeoutMs} ms:\n${this.output.slice(-4000)}`);
  }

  /** Sends a signal and resolves with how the process ended and how long it took. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.stopAt = Date.now();
      this.child.kill(signal);
    }
    return this.exited;
  }
}
