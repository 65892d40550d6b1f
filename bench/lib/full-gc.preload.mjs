// Loaded with --import into each server the footprint benchmark measures (the gateway and the raw ws
// server alike). On SIGUSR2 it runs V8's last-resort full GC, what V8 does under memory pressure (every
// unreachable object freed, the young generation shrunk, free pages given back), then writes the
// process's memory to $BENCH_GC_DIR/<pid>-<n>.json. Without it, a few seconds after start-up or after a
// storm of connections, RSS is mostly heap slack whose size depends on when V8 last collected: the young
// generation a busy process grew (up to ~64 MiB, once) and garbage not yet swept.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const dir = process.env.BENCH_GC_DIR;
if (dir) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  let n = 0;
  process.on('SIGUSR2', () => {
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    const file = path.join(dir, `${process.pid}-${n++}.json`);
    // Written aside and renamed, so the benchmark never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ rss, heapUsed, heapTotal }));
    renameSync(`${file}.tmp`, file);
  });
}
