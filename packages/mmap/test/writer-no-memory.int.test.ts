import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'fixtures', 'writer-no-memory-child.mjs');

describe('RecordWriter.open when its buffer cannot be allocated', () => {
  it('is a RangeError naming bufferRecords, and leaves no descriptor, no file and no opened event (child under ulimit -v)', () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const out = spawnSync('sh', ['-c', 'ulimit -v 1000000 && exec "$0" "$1" "$2"', process.execPath, child, tmp.path('no-memory.bin')], {
      cwd: join(here, '..'),
      env,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(result).toEqual({ error: { name: 'RangeError', namesOption: true }, descriptors: 0, created: false, events: [] });
  });
});
