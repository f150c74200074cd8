/** Number formatting shared by the progress line and the summary. */

export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

/** A latency in ms with the precision it deserves: 0.004 ms, 0.35 ms, 12.1 ms, 340 ms. */
export function ms(value: number): string {
  if (value < 0.01) return `${value.toFixed(4)} ms`;
  if (value < 1) return `${value.toFixed(3)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value)} ms`;
}

export const seconds = (msValue: number): string => `${(msValue / 1000).toFixed(1)} s`;

export const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Columns the demo's output may use: nothing it prints wraps on an 80-column terminal. */
export const COLUMNS = 80;

/**
 * `text` with every line longer than {@link COLUMNS} broken at spaces, the continuation lines indented to
 * the value column (10 spaces, after labels like `catalog   `). A single word longer than a line (a long
 * path or URL) stays whole.
 */
export function fitColumns(text: string, width = COLUMNS, indent = ' '.repeat(10)): string {
  return text
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let rest = line;
      while (rest.length > width) {
        const cut = rest.lastIndexOf(' ', width);
        if (cut <= indent.length) break;
        out.push(rest.slice(0, cut).trimEnd());
        rest = `${indent}${rest.slice(cut + 1).trimStart()}`;
      }
      out.push(rest);
      return out.join('\n');
    })
    .join('\n');
}
