import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'fixtures', 'writer-short-write-child.mjs');

describe('RecordWriter after a write the file system cut short mid-record', () => {
  it('keeps counting whole records, never writes a record past its buffer, and asyncDispose rejects (child process under ulimit -f)', () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // `ulimit -f 1` is 512 bytes in dash (1024 in bash): 73 whole 7-byte records and 1 byte of the 74th reach the file.
    const out = spawnSync('sh', ['-c', 'ulimit -f 1 && exec "$0" "$1" "$2"', process.execPath, child, tmp.path('limited.bin')], {
      cwd: join(here, '..'),
      env,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(out.stderr).toBe('');
    // The failed final flush leaves the writer open with its records buffered (see writer-close-retry.int.test.ts).
    const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(result).toEqual({ flushError: 'MMAP_IO_ERROR', cutMidRecord: true, lengthAfter: 200, nextIndex: 200, appendErrors: ['MMAP_IO_ERROR'], disposed: 'rejected MMAP_IO_ERROR', closed: false });
  });
});
