import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The README's quick start, line for line (only the import path differs).
import { open } from 'node:fs/promises';
import { CleanupPriority, defaultRegistry, guard, installShutdownHooks } from '../src/index.js';

describe('README quick start', () => {
  it('runs as written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'patinox-readme-'));
    const path = join(dir, 'report.csv');
    try {
      // --- quick start ---
      const hooks = installShutdownHooks({ deadlineMs: 5000 }); // SIGTERM, SIGINT, beforeExit

      async function writeReport(path: string): Promise<void> {
        const file = guard(await open(path, 'w'), (h) => h.close(), { name: path, priority: CleanupPriority.High });
        try {
          await file.get().write('id,total\n');
        } finally {
          await file.cleanup(); // closed here, even when write throws
        }
      }

      await writeReport(path);
      console.log(defaultRegistry().stats()); // { active: 0, cleaned: 1, ... }
      hooks.uninstall();
      // --- end ---
      expect(await readFile(path, 'utf8')).toBe('id,total\n');
      expect(defaultRegistry().stats()).toMatchObject({ active: 0, cleaned: 1 });
      expect(existsSync(path)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
