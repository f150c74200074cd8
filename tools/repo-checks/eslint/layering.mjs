// Layering rules for the monorepo's ESLint config: no import cycles, no reaching into another folder's
// internal/. Plain ESM with no dependencies, so every package's lint task can load it as it is.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

// `import … from './x.js'`, `export … from './x.js'`, `import './x.js'`; group 1 holds what is imported.
const IMPORT_RE = /^[ \t]*(?:import|export)\s+([^;'"]*?)\s*(?:from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** True when a statement's clause imports types only (`import type`, `export type`, `{ type A, type B }`). */
function isTypeOnly(clause) {
  if (/^type\s/.test(clause)) return true;
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (braces === null) return false;
  const names = braces[1].split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

function resolveSpecifier(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, resolve(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && c.endsWith('ts'));
}

const graph = new Map();

/** Runtime (not type-only) relative imports of `file`, resolved to files: [{ specifier, target }]. */
function runtimeImports(file) {
  let edges = graph.get(file);
  if (edges !== undefined) return edges;
  edges = [];
  graph.set(file, edges);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return edges;
  }
  for (const match of text.matchAll(IMPORT_RE)) {
    if (isTypeOnly(match[1])) continue;
    const target = resolveSpecifier(file, match[2]);
    if (target !== undefined) edges.push({ specifier: match[2], target });
  }
  return edges;
}

/** A path of files from `start` back to `goal`, or undefined. */
function pathBack(start, goal, seen = new Set()) {
  if (start === goal) return [goal];
  if (seen.has(start)) return undefined;
  seen.add(start);
  for (const { target } of runtimeImports(start)) {
    const rest = pathBack(target, goal, seen);
    if (rest !== undefined) return [start, ...rest];
  }
  return undefined;
}

const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbids runtime import cycles between relative modules (type-only imports do not count)' },
    schema: [],
    messages: { cycle: 'Import cycle: {{path}}. Move what both need into a module both import, or make one side import types only.' },
  },
  create(context) {
    const file = resolve(context.filename);
    // Lint runs read the files as they are on disk; forget what an earlier run of this process read.
    graph.delete(file);
    return {
      'ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration'(node) {
        if (node.source === null || node.source === undefined) return;
        const specifier = node.source.value;
        if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
        if (node.importKind === 'type' || node.exportKind === 'type') return;
        if (node.type === 'ImportDeclaration' && node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type')) return;
        if (node.type === 'ExportNamedDeclaration' && node.specifiers.length > 0 && node.specifiers.every((s) => s.exportKind === 'type')) return;
        const target = resolveSpecifier(file, specifier);
        if (target === undefined) return;
        const back = pathBack(target, file);
        if (back === undefined) return;
        const cwd = context.cwd ?? process.cwd();
        context.report({ node, messageId: 'cycle', data: { path: [file, ...back].map((f) => relative(cwd, f)).join(' → ') } });
      },
    };
  },
};

/** The plugin: `patinox/no-import-cycle`. */
export const layeringPlugin = { meta: { name: 'patinox-layering' }, rules: { 'no-import-cycle': noImportCycle } };

/**
 * `no-restricted-imports` patterns: a module may use its own folder's `internal/` (`./internal/x.js`) or an
 * ancestor's (`../internal/x.js`), never a sibling's or a child's (`../tiered/internal/x.js`), nor another
 * package's (`@patinox/pool/internal`).
 */
export const noForeignInternal = {
  patterns: [
    {
      regex: '^(?:\\.{1,2}/)*[^./][^/]*/(?:.*/)?internal(?:/|$)',
      message: "Reaches into another folder's internal/: import what that folder exports instead.",
    },
  ],
};
