/**
 * Coalesces render requests: however many ticks arrive between two frames, `render` runs once, in the
 * next animation frame. A hidden tab gets no frames, so nothing renders until it is shown again.
 */
export class FrameScheduler {
  private pending = false;

  constructor(private readonly render: () => void) {}

  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }
}
