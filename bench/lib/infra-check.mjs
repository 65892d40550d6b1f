// Kafka and Redis must be up before a benchmark: reuse what answers (other engineers' tests share
// them), start what is missing with scripts/infra.mjs, and stop at the end only what this run started.
import { bringUpInfra } from '../../scripts/setup.mjs';
import { onTeardown } from './teardown.mjs';

export async function ensureInfra(report) {
  report.log('checking Kafka and Redis (scripts/infra.mjs up reuses running ones)');
  const { setQuiet } = await import('../../scripts/infra.mjs');
  setQuiet(true);
  const release = await bringUpInfra();
  onTeardown(release);
}
