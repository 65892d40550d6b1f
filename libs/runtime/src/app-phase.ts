/**
 * Where the process is in its life. While it starts, the services it depends on may still be booting
 * (`npm start` and an orchestrator start them together), so a refusal then is expected and retried;
 * once it runs, the same refusal is a fault worth a warning. runApp moves it along.
 */
export type AppPhase = 'starting' | 'running' | 'stopping';

let phase: AppPhase = 'starting';

export const appPhase = (): AppPhase => phase;

/** Moves forward only: a process that is stopping never starts again. */
export function enterPhase(next: 'running' | 'stopping'): void {
  if (phase === 'stopping') return;
  phase = next;
}
