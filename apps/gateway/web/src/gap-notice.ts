import type { SeqGap } from '../../../../libs/client/src/index.js';
import { gapMessage } from './gap-message.js';

/**
 * Tells the user that quotes were missed and could not be recovered, so a sparkline (and the candle of
 * those minutes) skips a stretch. It covers every symbol affected since it was last dismissed.
 */
export class GapNotice {
  /** Quotes missed per symbol; null when the gateway could not say how many. */
  private readonly missed = new Map<string, number | null>();

  constructor(
    private readonly root: HTMLElement,
    private readonly text: HTMLElement,
    dismiss: HTMLButtonElement,
  ) {
    dismiss.addEventListener('click', () => {
      this.missed.clear();
      this.render();
    });
  }

  report({ symbol, afterSeq, nextSeq }: SeqGap): void {
    const before = this.missed.get(symbol);
    const count = nextSeq === null || before === null ? null : (before ?? 0) + nextSeq - afterSeq - 1;
    this.missed.set(symbol, count);
    this.render();
  }

  /** A symbol left the watchlist: its gap no longer matters. */
  forget(symbol: string): void {
    if (this.missed.delete(symbol)) this.render();
  }

  private render(): void {
    this.root.hidden = this.missed.size === 0;
    this.root.dataset.symbols = [...this.missed.keys()].join(',');
    if (this.missed.size > 0) this.text.textContent = gapMessage(this.missed);
  }
}
