import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Node 20 is the stated minimum, and it has no `using` / `await using`: every ```js block of a README must
// parse there as an ES module, and every package's quick start is plain JavaScript that runs as written
// (against the built packages, from an empty folder). TypeScript variants go in ```ts blocks.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'patinox-readme-code-'));

function readmes(): string[] {
  const files = ['README.md'];
  for (const group of ['packages', 'tools', 'examples']) {
    const dir = join(root, group);
    if (existsSync(join(dir, 'README.md'))) files.push(`${group}/README.md`);
    for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
      if (existsSync(join(dir, name, 'README.md'))) files.push(`${group}/${name}/README.md`);
    }
  }
  return files;
}

interface Block {
  lang: string;
  code: string;
  line: number;
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) out.push({ lang: m[1]!, code: m[2]!, line: text.slice(0, m.index).split('\n').length });
  return out;
}

function quickStart(text: string): Block | undefined {
  const start = text.indexOf('\n## Quick start\n');
  if (start < 0) return undefined;
  const end = text.indexOf('\n## ', start + 5);
  return blocks(text.slice(start, end < 0 ? undefined : end))[0];
}

function node(args: string[], cwd: string): { status: number | null; out: string } {
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: child.status, out: `${child.stdout}${child.stderr}` };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

const JS = new Set(['js', 'javascript', 'mjs']);
const jsBlocks = readmes().flatMap((file) =>
  blocks(readFileSync(join(root, file), 'utf8'))
    .filter((b) => JS.has(b.lang))
    .map((b) => [`${file}:${b.line}`, b] as const),
);
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'README.md'))).sort();

describe('README code on Node 20', () => {
  it('has JavaScript blocks to check', () => {
    expect(jsBlocks.length).toBeGreaterThanOrEqual(packages.length);
  });

  it.each(jsBlocks)('%s parses as an ES module', (where, block) => {
    const file = join(work, `${where.replace(/[^a-z0-9]+/gi, '-')}.mjs`);
    writeFileSync(file, block.code);
    const result = node(['--check', file], work);
    expect({ where, status: result.status, out: result.status === 0 ? '' : result.out }).toEqual({ where, status: 0, out: '' });
  });

  it.each(packages)('packages/%s: the quick start is plain JavaScript and runs as written', (pkg) => {
    const block = quickStart(readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8'));
    expect({ pkg, lang: block?.lang }).toEqual({ pkg, lang: 'js' });
    // Beside this package's package.json so `@patinox/*` resolves to the built workspace packages; run from
    // an empty folder so files the quick start writes land there.
    const file = join(here, `quickstart-${pkg}-${process.pid}.tmp.mjs`);
    const cwd = mkdtempSync(join(work, `${pkg}-`));
    writeFileSync(file, block!.code);
    try {
      const result = node([file], cwd);
      expect({ pkg, status: result.status, out: result.status === 0 ? '' : result.out }).toEqual({ pkg, status: 0, out: '' });
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);

  it('a block with `await using` does not parse on Node 20 (the check can fail)', () => {
    const file = join(work, 'using.mjs');
    writeFileSync(file, "const r = { async [Symbol.asyncDispose]() {} };\n{\n  await using x = r;\n}\n");
    expect(node(['--check', file], work).status).not.toBe(0);
  });
});
