/** A two-column table: `title`, then one `label  value` line per row, labels aligned. */
export function formatTable(title: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const rule = '─'.repeat(Math.max(title.length, ...lines.map((l) => l.length)));
  return [title, rule, ...lines, rule].join('\n');
}

/** A table with a header row and right-aligned numeric columns after the first. */
export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
