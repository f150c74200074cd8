import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isPatinoxError } from '@patinox/errors';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

/** Rejects unless `work` rejects; returns what it rejected with. */
type Rejection = { message: string; context?: Record<string, unknown>; cause?: { code?: string } };
async function rejection(work: Promise<unknown>): Promise<Rejection> {
  try {
    await work;
  } catch (err) {
    return err as Rejection;
  }
  throw new Error('expected a rejection');
}

describe('TieredCache snapshot files that cannot be written or read', () => {
  let dir: string;
  let cache: TieredCache<number>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patinox-snapshot-files-'));
    cache = new TieredCache<number>({ l2: new MemoryBackend(), namespace: 'files' });
    await cache.set('a', 1);
  });

  afterAll(async () => {
    await cache.close();
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exportSnapshot rejects with CACHE_SNAPSHOT_WRITE_FAILED naming the path, the file error as cause, and leaves no temp file', async () => {
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    const cases: [string, string][] = [
      [join(dir, 'missing', 'users.snapshot'), 'ENOENT'],
      // A directory where the file should go: the rename onto it fails.
      [dir, 'EISDIR'],
      // root writes anywhere it may chmod: there, a sysfs directory refuses new files instead.
      [process.getuid?.() === 0 ? '/sys/patinox.snapshot' : join(readOnly, 'users.snapshot'), 'EACCES'],
    ];
    for (const [path, fileCode] of cases) {
      const err = await rejection(cache.exportSnapshot(path));
      expect(isPatinoxError(err, 'CACHE_SNAPSHOT_WRITE_FAILED')).toBe(true);
      expect(err.message).toContain(path);
      expect(err.context).toMatchObject({ path });
      expect(err.cause?.code).toBe(fileCode);
      const parent = dirname(path);
      if (existsSync(parent)) expect(readdirSync(parent).filter((name) => name.startsWith(`${basename(path)}.`) && name.endsWith('.tmp'))).toEqual([]);
    }
    // The cache itself is fine: a good path still exports.
    await expect(cache.exportSnapshot(join(dir, 'good.snapshot'))).resolves.toMatchObject({ entries: 1 });
  });

  it('importSnapshot rejects a missing path or a directory with CACHE_SNAPSHOT_INVALID naming the path, the file error as cause', async () => {
    for (const [path, fileCode] of [
      [join(dir, 'nothing-here.snapshot'), 'ENOENT'],
      [dir, 'EISDIR'],
    ] as const) {
      const err = await rejection(cache.importSnapshot(path));
      expect(isPatinoxError(err, 'CACHE_SNAPSHOT_INVALID')).toBe(true);
      expect(err.message).toContain(path);
      expect(err.context).toMatchObject({ path });
      expect(err.cause?.code).toBe(fileCode);
    }
  });
});
