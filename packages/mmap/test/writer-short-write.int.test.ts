import { afterAll, describe, expect, it } from '@jest/globals';
import { runLimitedChild, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('RecordWriter after a write the file system cut short mid-record', () => {
  it('keeps counting whole records, never writes a record past its buffer, and asyncDispose rejects (child process under ulimit -f)', () => {
    // `ulimit -f 1` is 512 bytes in dash (1024 in bash): 73 whole 7-byte records and 1 byte of the 74th reach the file.
    // The failed final flush leaves the writer open with its records buffered (see writer-close-retry.int.test.ts).
    const { stderr, result } = runLimitedChild('writer-short-write-child.mjs', '-f 1', tmp.path('limited.bin'));
    expect(stderr).toBe('');
    expect(result).toEqual({ flushError: 'MMAP_IO_ERROR', cutMidRecord: true, lengthAfter: 200, nextIndex: 200, appendErrors: ['MMAP_IO_ERROR'], disposed: 'rejected MMAP_IO_ERROR', closed: false });
  });
});
