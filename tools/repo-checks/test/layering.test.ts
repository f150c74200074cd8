import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';
// @ts-expect-error -- plain ESM without types, loaded by eslint.config.mjs
import { layeringPlugin, noForeignInternal } from '../eslint/layering.mjs';

// The layering rules of eslint.config.mjs, run on deliberate violations in a temporary package.
describe('layering lint rules', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'patinox-layering-'));
    await mkdir(join(dir, 'src', 'internal'), { recursive: true });
    await mkdir(join(dir, 'src', 'tiered', 'internal'), { recursive: true });
    const files: Record<string, string> = {
      'src/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'src/b.ts': "import { a } from './a.js';\nexport const b = (): number => (typeof a === 'function' ? 1 : 0);\n",
      'src/types-a.ts': "import type { T } from './types-b.js';\nexport type U = T;\nexport const x = 1;\n",
      'src/types-b.ts': "import { x } from './types-a.js';\nexport type T = number;\nexport const y = x;\n",
      'src/own.ts': "import { z } from './internal/z.js';\nexport const own = z;\n",
      'src/internal/z.ts': 'export const z = 1;\n',
      'src/tiered/internal/w.ts': 'export const w = 1;\n',
      'src/tiered/up.ts': "import { z } from '../internal/z.js';\nexport const up = z;\n",
      'src/reach.ts': "import { w } from './tiered/internal/w.js';\nexport const reach = w;\n",
    };
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function lint(file: string): Promise<string[]> {
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { patinox: layeringPlugin },
          rules: { 'patinox/no-import-cycle': 'error', 'no-restricted-imports': ['error', noForeignInternal] },
        },
      ],
    });
    const [result] = await eslint.lintFiles([join(dir, file)]);
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  it('reports a runtime import cycle on both sides', async () => {
    expect(await lint('src/a.ts')).toEqual([expect.stringMatching(/^patinox\/no-import-cycle: Import cycle: src\/a\.ts → src\/b\.ts → src\/a\.ts/)]);
    expect(await lint('src/b.ts')).toHaveLength(1);
  });

  it('does not count type-only imports as a cycle', async () => {
    expect(await lint('src/types-a.ts')).toEqual([]);
    expect(await lint('src/types-b.ts')).toEqual([]);
  });

  it("allows a folder's own or an ancestor's internal/, and forbids another folder's", async () => {
    expect(await lint('src/own.ts')).toEqual([]);
    expect(await lint('src/tiered/up.ts')).toEqual([]);
    expect(await lint('src/reach.ts')).toEqual([expect.stringContaining("no-restricted-imports: './tiered/internal/w.js' import is restricted")]);
  });
});
