import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readManifests } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/consumer/', import.meta.url));

describe('every package, loaded from a consumer outside it', () => {
  const names = readManifests(root).map((m) => m.name);

  it.each(names)('%s can be imported (ESM) and required (CJS) with the same exports', (name) => {
    const out = execFileSync(process.execPath, [`${fixture}load.mjs`, name], { cwd: fixture, encoding: 'utf8' });
    const { esm, cjs } = JSON.parse(out) as { esm: string[]; cjs: string[] };
    expect(esm.length).toBeGreaterThan(0);
    expect(cjs).toEqual(esm);
  });
});
