// Loaded with NODE_OPTIONS=--import into an app the benchmark profiles: `--cpu-prof` itself is not
// allowed in NODE_OPTIONS, so this starts V8's sampling profiler through the inspector and writes a
// .cpuprofile (open it in Chrome DevTools, or summarise it with bench/profile-summary.mjs) when the
// app exits. BENCH_CPU_PROFILE is the file to write.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_CPU_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // A main-thread inspector session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
