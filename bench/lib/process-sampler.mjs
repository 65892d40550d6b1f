// CPU and RSS of named processes read from /proc while a scenario runs, so each figure comes with
// what bounded it: which process was at 100 % of a core, how busy the machine was, how much of it
// was someone else's (other test runs share this machine).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Busy and total jiffies of the whole machine (all cores). */
function machineTicks() {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = cpu.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** The pid listening on a local TCP port (Kafka's JVM, redis-server), or undefined. */
export function pidListeningOn(port) {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function rssOf(pid) {
  try {
    return rssBytes(pid);
  } catch {
    return 0;
  }
}

/**
 * Samples every `intervalMs`: per process CPU (% of one core) and RSS; for the machine, the share of
 * all cores busy and the part of it not used by the watched processes.
 */
export class ProcessSampler {
  constructor(processes, intervalMs = 500) {
    this.processes = Object.entries(processes).filter(([, pid]) => pid);
    this.intervalMs = intervalMs;
    this.samples = new Map(this.processes.map(([name]) => [name, { rss: [], cpuStart: 0, cpuEnd: 0 }]));
  }

  start() {
    this.startedAt = performance.now();
    this.machineStart = machineTicks();
    for (const [name, pid] of this.processes) {
      const s = this.samples.get(name);
      try {
        s.cpuStart = s.cpuEnd = cpuTicks(pid);
      } catch {
        s.gone = true;
      }
    }
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  sample() {
    for (const [name, pid] of this.processes) {
      const s = this.samples.get(name);
      if (s.gone) continue;
      try {
        s.cpuEnd = cpuTicks(pid);
        s.rss.push(rssBytes(pid));
      } catch {
        s.gone = true;
      }
    }
  }

  /** Stops sampling; per process { cpuPct, rssAvgMiB, rssMaxMiB } and the machine's busy share. */
  stop() {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const machine = machineTicks();
    const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || 1;
    const busyTicks = machine.busy - this.machineStart.busy;
    const totalTicks = machine.total - this.machineStart.total || 1;
    const processes = {};
    let ours = 0;
    for (const [name, s] of this.samples) {
      const cpuPct = ((s.cpuEnd - s.cpuStart) / CLOCK_TICKS / seconds) * 100;
      ours += s.cpuEnd - s.cpuStart;
      const mib = (b) => Math.round((b / 1048576) * 10) / 10;
      processes[name] = {
        cpuPct: Math.round(cpuPct),
        rssAvgMiB: s.rss.length ? mib(s.rss.reduce((a, b) => a + b, 0) / s.rss.length) : 0,
        rssMaxMiB: s.rss.length ? mib(Math.max(...s.rss)) : 0,
      };
    }
    return {
      seconds: Math.round(seconds * 10) / 10,
      machineBusyPct: Math.round((busyTicks / totalTicks) * 100),
      // busy time of processes not watched here (other test runs, the kernel), in % of one core
      othersCpuPct: Math.round((Math.max(0, busyTicks - ours) / CLOCK_TICKS / seconds) * 100),
      cores,
      processes,
    };
  }
}
