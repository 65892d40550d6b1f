import type { StatusView } from './status-view.js';

const LABEL: Record<StatusView['kind'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
};

/**
 * The connection pill. The state word is in a live region; the countdown ("in 3s") is not, so a
 * screen reader announces "Reconnecting" once rather than every second.
 */
export class ConnectionStatus {
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly label: HTMLElement,
    private readonly detail: HTMLElement,
  ) {}

  show(state: StatusView): void {
    clearInterval(this.countdown);
    this.root.dataset.state = state.kind;
    this.label.textContent = LABEL[state.kind];
    if ((state.kind === 'reconnecting' || state.kind === 'offline') && state.retryAt !== null) {
      const retryAt = state.retryAt;
      const tick = () => (this.detail.textContent = ` in ${Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))}s`);
      tick();
      this.countdown = setInterval(tick, 250);
    } else {
      this.detail.textContent = state.kind === 'reconnecting' ? '…' : '';
    }
  }
}
