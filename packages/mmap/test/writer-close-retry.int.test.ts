import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'fixtures', 'writer-close-retry-child.mjs');

describe('RecordWriter.close() whose final flush fails', () => {
  it('keeps the writer open with the unwritten records buffered, names them, and writes them all on a retry once the fault is gone (child under ulimit -S -f 1)', () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const out = spawnSync('sh', ['-c', 'ulimit -S -f 1 && exec "$0" "$1" "$2"', process.execPath, child, tmp.path('limited.bin')], {
      cwd: join(here, '..'),
      env,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    // 512 bytes reach the file: 73 whole 7-byte records and 1 byte of the 74th (index 73).
    expect(result).toEqual({
      first: { outcome: 'MMAP_IO_ERROR', unwritten: { from: 73, records: 127 }, saysRetry: true, closed: false, length: 200, descriptors: 1, health: 'degraded' },
      disposed: 'rejected MMAP_IO_ERROR',
      after: { closed: true, descriptors: 0, bytes: 1400, inOrder: true },
    });
  });
});
