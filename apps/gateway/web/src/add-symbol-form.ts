import { parseSymbolInput } from './symbol-input.js';

/** Returns a message when the symbol cannot be added (already listed), or null when it was. */
export type AddSymbol = (symbol: string) => string | null;

/** The "add symbol" input and the notice line under it, which also carries the gateway's errors. */
export class AddSymbolForm {
  constructor(
    form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    private readonly notice: HTMLElement,
    add: AddSymbol,
  ) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const parsed = parseSymbolInput(input.value);
      const problem = parsed.ok ? add(parsed.symbol) : parsed.message;
      if (problem) {
        this.error(problem);
        return;
      }
      this.info(parsed.ok ? `Added ${parsed.symbol}.` : '');
      input.value = '';
    });
    input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  }

  error(message: string): void {
    this.input.setAttribute('aria-invalid', 'true');
    this.say(message, 'error');
  }

  info(message: string): void {
    this.input.removeAttribute('aria-invalid');
    this.say(message, 'info');
  }

  private say(message: string, kind: 'error' | 'info'): void {
    this.notice.dataset.kind = kind;
    this.notice.textContent = message;
  }
}
