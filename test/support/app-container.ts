import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppName } from './app-process.js';

const exec = promisify(execFile);

/** Runs `docker <args>` and resolves with its stdout; rejects with its stderr. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** `stock-watchlist/<app>:<version>`, from scripts/images.mjs, which builds them. */
export async function imageName(app: AppName): Promise<string> {
  const images = (await import(new URL('../../../scripts/images.mjs', import.meta.url).href)) as { imageName(app: string): string };
  return images.imageName(app);
}

/** The uid of a host process, from /proc. */
function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'))!;
  return Number(line.split(/\s+/)[1]);
}

/** argv[0] of a host process without its directory ("node"; its thread name would be "MainThread"). */
function programOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].split('/').at(-1)!;
}

/** A pid and its descendants, from /proc (what runs in a container, seen from the host). */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone meanwhile
  }
  return [pid, ...children.flatMap(processTree)];
}

/**
 * One app image running as a container on the host's network, hardened the way the Kubernetes manifests
 * run it (read-only root filesystem, no capabilities, no privilege escalation, the image's own user).
 */
export class AppContainer {
  private constructor(
    readonly app: AppName,
    readonly name: string,
    readonly port: number,
  ) {}

  static async run(app: AppName, name: string, port: number, env: Record<string, string>): Promise<AppContainer> {
    const vars = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    const hardening = ['--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
    await docker('run', '-d', '--name', name, '--label', 'stock-watchlist.test=deploy', '--network', 'host', ...hardening, ...vars, await imageName(app));
    return new AppContainer(app, name, port);
  }

  async health(path = '/health'): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.json() };
  }

  /** `docker inspect --format <template>` of the container. */
  inspect(template: string): Promise<string> {
    return docker('inspect', '--format', template, this.name);
  }

  async running(): Promise<boolean> {
    return (await this.inspect('{{.State.Running}}')) === 'true';
  }

  async logs(): Promise<string> {
    const { stdout, stderr } = await exec('docker', ['logs', this.name], { maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  }

  /** Resolves when GET `path` answers 200; rejects with the container's log if it exits or the time runs out. */
  async waitUntilAnswers(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await this.health(path)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (!(await this.running())) break;
      await sleep(250);
    }
    throw new Error(`${this.app} container did not answer ${path} with 200 in ${timeoutMs} ms:\n${(await this.logs()).slice(-4000)}`);
  }

  /** Resolves when Docker's HEALTHCHECK reports the container healthy. */
  async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let status = '';
    while (Date.now() < deadline) {
      status = await this.inspect('{{.State.Health.Status}}');
      if (status === 'healthy') return;
      await sleep(500);
    }
    throw new Error(`${this.app} container is "${status}", not healthy, after ${timeoutMs} ms: ${await this.inspect('{{json .State.Health}}')}`);
  }

  /** Host pid, uid and program (argv[0]) of every process in the container. */
  async processes(): Promise<Array<{ pid: number; uid: number; program: string }>> {
    const init = Number(await this.inspect('{{.State.Pid}}'));
    return processTree(init).map((pid) => ({ pid, uid: uidOf(pid), program: programOf(pid) }));
  }

  /** `docker stop` with Docker's default 10 s before SIGKILL; resolves with the exit code. */
  async stop(): Promise<number> {
    await docker('stop', this.name);
    return Number(await this.inspect('{{.State.ExitCode}}'));
  }

  async remove(): Promise<void> {
    await docker('rm', '-f', this.name).catch(() => undefined);
  }
}
