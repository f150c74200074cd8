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
