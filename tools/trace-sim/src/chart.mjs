// One SVG line chart per trace: hit ratio against capacity, one line per implementation. Plain SVG
// text with no dependency, so the charts can be committed and shown in a README.

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf', '#7f7f7f'];
const W = 720;
const H = 420;
const M = { left: 56, right: 170, top: 40, bottom: 52 };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Renders `rows` (one per capacity: `{ label, values: { impl: ratio } }`) as an SVG string.
 * `styles` maps an implementation to `{ color, dash, width }` overrides; `highlight` is drawn thicker.
 */
export function renderChart({ title, xLabel, impls, rows, highlight, styles = {} }) {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const all = rows.flatMap((r) => impls.map((i) => r.values[i])).filter((v) => Number.isFinite(v));
  const top = Math.min(1, Math.max(0.1, Math.ceil((Math.max(...all, 0) + 0.02) * 10) / 10));
  const x = (i) => M.left + (rows.length === 1 ? pw / 2 : (i * pw) / (rows.length - 1));
  const y = (v) => M.top + ph - (v / top) * ph;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let k = 0; k <= 5; k += 1) {
    const v = (top * k) / 5;
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${yy}" y2="${yy}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${M.left - 6}" y="${yy}" dy="4" text-anchor="end">${(100 * v).toFixed(0)} %</text>`);
  }
  rows.forEach((r, i) => {
    out.push(`<line x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(i).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${esc(r.label)}</text>`);
  });
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">hit ratio</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  impls.forEach((impl, n) => {
    const s = { color: PALETTE[n % PALETTE.length], dash: '', width: impl === highlight ? 3 : 1.5, ...styles[impl] };
    const pts = rows
      .map((r, i) => [x(i), r.values[impl]])
      .filter(([, v]) => Number.isFinite(v))
      .map(([xx, v]) => `${xx.toFixed(1)},${y(v).toFixed(1)}`);
    if (pts.length === 0) return;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.width}"${dash} points="${pts.join(' ')}"/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="${impl === highlight ? 3.5 : 2.5}" fill="${s.color}"/>`);
    }
    const ly = M.top + 8 + n * 20;
    const lx = M.left + pw + 14;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="${s.width}"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dy="4"${impl === highlight ? ' font-weight="bold"' : ''}>${esc(impl)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** A file name for a trace's chart: `lirs/gli.trace.gz` → `lirs-gli.svg`. */
export function chartFileName(traceFile) {
  return `${traceFile.replace(/\.(trace|lis)?\.?(gz|bin)$/, '').replace(/\.oracleGeneral$/, '').replace(/[^A-Za-z0-9_-]+/g, '-')}.svg`;
}
