import { setTimeout as sleep } from 'node:timers/promises';
import { benchEnv, startBenchApp, stopBenchApp } from './lib/bench-apps.mjs';
import { finish } from './lib/teardown.mjs';
const env = benchEnv({ TICK_INTERVAL_MS: '20', TICK_BURST: '80' });
const generator = await startBenchApp('generator', env, { profile: 'genprof' });
await sleep(12000);
console.log(await stopBenchApp(generator, 20000));
await finish(0);
