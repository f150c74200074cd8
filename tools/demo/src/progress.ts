import { count, fitColumns, ms, percent } from './format.js';

/** What the progress line shows. */
export interface ProgressSample {
  done: number;
  total: number;
  hitRate: number;
  p50Ms: number;
  p99Ms: number;
  /** Borrowed connections / pool size, now. */
  poolUtilization: number;
  rulesVersion: number;
}

/** Columns the progress line may use: it must not wrap on an 80-column terminal. */
export const PROGRESS_COLUMNS = 80;

/**
 * The progress line for `s`, at most {@link PROGRESS_COLUMNS} wide: fields two spaces apart, one space
 * when that is too wide (request counts in the tens of millions), cut as a last resort.
 */
export function progressLine(s: ProgressSample): string {
  const width = count(s.total).length;
  const fields = [
    `${count(s.done).padStart(width)}/${count(s.total)}`,
    `hit ${percent(s.hitRate)}`,
    `p50 ${ms(s.p50Ms)}`,
    `p99 ${ms(s.p99Ms)}`,
    `pool ${Math.round(s.poolUtilization * 100)} %`,
    `rules v${s.rulesVersion}`,
  ];
  const wide = fields.join('  ');
  if (wide.length <= PROGRESS_COLUMNS) return wide;
  return fields.join(' ').slice(0, PROGRESS_COLUMNS);
}

/**
 * The live progress line: redrawn in place on a terminal, or one plain line every few seconds when the
 * output goes to a file or a pipe (no escape codes in logs). Other output goes through `log` so it
 * never lands in the middle of the line.
 */
export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #sample: () => ProgressSample;
  readonly #isTty: boolean;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(out: NodeJS.WriteStream, sample: () => ProgressSample) {
    this.#out = out;
    this.#sample = sample;
    this.#isTty = out.isTTY === true;
  }

  start(): void {
    this.#timer = setInterval(() => this.#draw(), this.#isTty ? 200 : 5_000);
    this.#timer.unref();
  }

  /** Prints a line above the progress line. */
  log(line: string): void {
    this.#clear();
    this.#out.write(`${fitColumns(line)}\n`);
    if (this.#timer !== undefined && this.#isTty) this.#draw();
  }

  /** Draws the final state and stops. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw();
    if (this.#isTty) this.#out.write('\n');
    this.#drawn = false;
  }

  #draw(): void {
    const line = progressLine(this.#sample());
    if (this.#isTty) {
      this.#out.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else {
      this.#out.write(`${fitColumns(line)}\n`);
    }
  }

  #clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
