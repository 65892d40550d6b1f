// Every process a benchmark spawns is registered here and SIGKILLed when the run ends, however it
// ends: normal exit, an exception, Ctrl-C, or the hard deadline. Only our own pids are ever signalled.

const pids = new Map();
const cleanups = [];
let installed = false;

/** Registers a spawned process (a ChildProcess or anything with a pid) to be killed at the end. */
export function track(name, pid) {
  install();
  pids.set(pid, name);
  return pid;
}

export function untrack(pid) {
  pids.delete(pid);
}

/** An async clean-up (delete topics, Redis keys) run once at the end, before the process exits. */
export function onTeardown(fn) {
  install();
  cleanups.push(fn);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every registered process still alive; synchronous, so it also works in an 'exit' handler. */
export function killAll() {
  for (const pid of pids.keys()) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone in between
      }
    }
  }
  pids.clear();
}

let finishing = false;
/** Runs the clean-ups (bounded), kills what is left and exits with `code`. */
export async function finish(code) {
  if (finishing) return;
  finishing = true;
  const all = Promise.allSettled(cleanups.splice(0).map((fn) => fn()));
  await Promise.race([all, new Promise((r) => setTimeout(r, 15_000).unref())]);
  killAll();
  process.exit(code);
}

/** Ends the whole run after `ms`, whatever it is doing: a benchmark never hangs. */
export function hardDeadline(ms, what = 'benchmark run') {
  const timer = setTimeout(() => {
    console.error(`\n[bench] ${what} passed its hard deadline of ${Math.round(ms / 1000)} s; killing everything`);
    void finish(2);
  }, ms);
  timer.unref();
  return timer;
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n[bench] ${signal}: stopping`);
      void finish(130);
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(`[bench] uncaught: ${err?.stack ?? err}`);
    void finish(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(`[bench] unhandled rejection: ${err?.stack ?? err}`);
    void finish(1);
  });
}
