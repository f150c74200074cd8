// Marked figure blocks shared by BENCHMARKS.md and the READMEs. BENCHMARKS.md (written by
// bench-report.mjs) is the one source: each table sits between `<!-- bench:ID -->` and
// `<!-- /bench:ID -->`; a README quotes a table by holding the same two markers, and
// bench-readmes.mjs copies the block in (or, with --check, reports a README whose copy differs).

const BLOCK = /<!-- bench:([a-z0-9:._-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g;

/** Every marked block of `text`, by id. */
export function readFragments(text) {
  const blocks = new Map();
  for (const m of text.matchAll(BLOCK)) blocks.set(m[1], m[2]);
  return blocks;
}

/** `text` with every marked block replaced by the source's block of the same id; ids the source lacks are listed. */
export function fillFragments(text, source) {
  const missing = [];
  const filled = text.replace(BLOCK, (whole, id) => {
    if (!source.has(id)) {
      missing.push(id);
      return whole;
    }
    return `<!-- bench:${id} -->\n${source.get(id)}<!-- /bench:${id} -->`;
  });
  return { text: filled, missing };
}

/** Wraps `body` (ending in a newline) in the markers of `id`. */
export function fragment(id, body) {
  return `<!-- bench:${id} -->\n${body}<!-- /bench:${id} -->\n`;
}
