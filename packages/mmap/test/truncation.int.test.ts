import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'fixtures', 'truncate-child.mjs');

function runChild(scenario: string, fileBytes: number): { status: number | null; signal: NodeJS.Signals | null; result: Record<string, { code?: string; value?: string }> } {
  const path = tmp.path(`${scenario}.bin`);
  writeFileSync(path, Buffer.alloc(fileBytes, 1));
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const out = spawnSync(process.execPath, [child, path, scenario], { cwd: join(here, '..'), env, encoding: 'utf8', timeout: 15_000 });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  return { status: out.status, signal: out.signal, result: line === '' ? {} : (JSON.parse(line) as Record<string, { code?: string }>) };
}

describe('a file truncated by another process while mapped (checked mode)', () => {
  it('raises MMAP_FILE_TRUNCATED on the next window fault and poisons mapped windows; the process exits normally', () => {
    const { status, signal, result } = runChild('windowed', 4 * 65536);
    expect(signal).toBeNull();
    expect(status).toBe(0);
    expect(result.before).toEqual({ value: '1' });
    expect(result.fault).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
    expect(result.mappedWindowAfter).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
    expect(result.closedAfter).toEqual({ value: 'undefined' });
  });

  it('lets verify() catch it on a single mapping before any access touches a lost page', () => {
    const { status, signal, result } = runChild('verify', 4 * 65536);
    expect(signal).toBeNull();
    expect(status).toBe(0);
    expect(result.fault).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
    expect(result.mappedWindowAfter).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
  });

  it('protects record accessors the same way', () => {
    const { status, signal, result } = runChild('records', 4 * 65536);
    expect(signal).toBeNull();
    expect(status).toBe(0);
    expect(result.before).toEqual({ value: String(0x01010101) });
    expect(result.fault).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
    expect(result.mappedWindowAfter).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
  });

  it('is caught by the promotion of a windowed read file to one mapping, before any access touches a lost page', () => {
    const { status, signal, result } = runChild('promote', 32 * 2 ** 20 + 65536);
    expect(signal).toBeNull();
    expect(status).toBe(0);
    expect(result.before).toEqual({ value: '2' });
    expect(result.promoted).toEqual({ value: 'false' });
    expect(result.mappedWindowAfter).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
  });

  it('(control) the bare addon dies of SIGBUS in the same scenario', () => {
    const { signal } = runChild('raw-addon', 4 * 65536);
    expect(signal).toBe('SIGBUS');
  });
});
