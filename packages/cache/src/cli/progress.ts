import type { CliIo } from './io.js';

/**
 * Progress of a long command on stderr: at most one line per `intervalMs`, rewritten in place on a
 * terminal, and a final line. Nothing is printed for a command that ends before the first interval.
 */
export class Progress {
  readonly #io: CliIo;
  readonly #label: string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #total: number | undefined;
  #last: number;
  #shown = false;
  #printed = -1;
  count = 0;

  constructor(io: CliIo, label: string, intervalMs: number, total?: number) {
    this.#io = io;
    this.#label = label;
    this.#intervalMs = intervalMs;
    this.#now = io.now ?? Date.now;
    this.#total = total;
    this.#last = this.#now();
  }

  add(n: number): void {
    this.count += n;
    const now = this.#now();
    if (now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#print(false);
  }

  /** Ends the progress line (only when one was shown). */
  done(): void {
    if (this.#shown && this.#printed !== this.count) this.#print(true);
    else if (this.#shown && this.#io.isStderrTty === true && this.#io.stderrRaw !== undefined) this.#io.stderrRaw('\n');
  }

  #print(final: boolean): void {
    const of = this.#total === undefined ? '' : ` of ${this.#total} (${this.#total === 0 ? 100 : Math.floor((this.count / this.#total) * 100)}%)`;
    const line = `patinox-cache: ${this.#label} ${this.count}${of} entries`;
    this.#shown = true;
    this.#printed = this.count;
    if (this.#io.isStderrTty === true && this.#io.stderrRaw !== undefined) this.#io.stderrRaw(`\r${line}${final ? '\n' : ''}`);
    else this.#io.stderr(line);
  }
}
