import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `examples/<name>.mjs` with node; resolves with its stdout once it exited with code 0. */
function runExample(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, `${name}.mjs`)], { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${name}.mjs failed: ${error.message}\n${stderr}`));
      else if (stderr !== '') reject(new Error(`${name}.mjs wrote to stderr:\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('examples', () => {
  it('errors.mjs retries busy errors, falls back, and fails on a hard error by code', async () => {
    const out = await runExample('errors');
    expect(out).toMatch(/^retry 1 after INVENTORY_BUSY/m);
    expect(out).toMatch(/^retry 2 after INVENTORY_BUSY/m);
    expect(out).toMatch(/^stock \{ sku: 'SKU-1', stock: 42 \}/m);
    expect(out).toMatch(/^fallback \{ sku: 'SKU-OLD', stock: 0, cached: true \}/m);
    expect(out).toMatch(/^failed INVENTORY_UNKNOWN_SKU \(fail\) for SKU-404/m);
    expect(out).toMatch(/"code":"ORDER_REJECTED".*"cause":\{"code":"INVENTORY_UNKNOWN_SKU"/);
  });
});
