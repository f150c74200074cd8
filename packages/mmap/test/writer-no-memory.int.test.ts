import { afterAll, describe, expect, it } from '@jest/globals';
import { runLimitedChild, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('RecordWriter.open when its buffer cannot be allocated', () => {
  it('is a RangeError naming bufferRecords, and leaves no descriptor, no file and no opened event (child under ulimit -v)', () => {
    const { stderr, result } = runLimitedChild('writer-no-memory-child.mjs', '-v 1000000', tmp.path('no-memory.bin'));
    expect(stderr).toBe('');
    expect(result).toEqual({ error: { name: 'RangeError', namesOption: true }, descriptors: 0, created: false, events: [] });
  });
});
