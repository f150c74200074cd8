import { afterAll, describe, expect, it } from '@jest/globals';
import { runLimitedChild, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('RecordWriter.close() whose final flush fails', () => {
  it('keeps the writer open with the unwritten records buffered, names them, and writes them all on a retry once the fault is gone (child under ulimit -S -f 1)', () => {
    const { stderr, result } = runLimitedChild('writer-close-retry-child.mjs', '-S -f 1', tmp.path('limited.bin'));
    expect(stderr).toBe('');
    // 512 bytes reach the file: 73 whole 7-byte records and 1 byte of the 74th (index 73).
    expect(result).toEqual({
      first: { outcome: 'MMAP_IO_ERROR', unwritten: { from: 73, records: 127 }, saysRetry: true, closed: false, length: 200, descriptors: 1, health: 'degraded' },
      disposed: 'rejected MMAP_IO_ERROR',
      after: { closed: true, descriptors: 0, bytes: 1400, inOrder: true },
    });
  });
});
