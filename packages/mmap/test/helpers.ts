import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'patinox-mmap-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `values` as little-endian u32s to `path`. */
/** Creates a sparse file of `bytes` bytes at `path` holding u32 `value` at element `index` for each mark. */
export function sparseU32File(path: string, bytes: number, marks: readonly (readonly [index: number, value: number])[]): string {
  closeSync(openSync(path, 'w'));
  truncateSync(path, bytes);
  const fd = openSync(path, 'r+');
  try {
    for (const [index, value] of marks) writeSync(fd, Buffer.from(new Uint32Array([value]).buffer), 0, 4, index * 4);
  } finally {
    closeSync(fd);
  }
  return path;
}

export function writeU32(path: string, values: readonly number[]): void {
  writeFileSync(path, Buffer.from(new Uint32Array(values).buffer));
}

/** Reads `path` as u32s. */
export function readU32(path: string): number[] {
  const bytes = readFileSync(path);
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readUInt32LE(i * 4));
}

type Binding = { map: (...args: unknown[]) => Buffer } & Record<string, unknown>;

/** The real addon wrapped so a test can count (and see the arguments of) every mmap call. */
export async function countingBinding(): Promise<{ load: () => Promise<Binding>; calls: unknown[][] }> {
  const mod = (await import('@riaskov/mmap-io')) as unknown as { default: Binding };
  const real = mod.default;
  const calls: unknown[][] = [];
  const binding: Binding = {
    ...real,
    map: (...args: unknown[]) => {
      calls.push(args);
      return real.map(...args);
    },
  };
  return { load: async () => binding, calls };
}

/**
 * Runs `test/fixtures/<fixture>` in a child Node under a shell `ulimit` (`limit`, e.g. `-S -f 1` or
 * `-v 1000000`) with `file` as its argument, without the parent's NODE_OPTIONS (jest's loader flags),
 * and returns its stderr and the JSON object its last stdout line prints.
 */
export function runLimitedChild(fixture: string, limit: string, file: string): { stderr: string; result: Record<string, unknown> } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const here = dirname(fileURLToPath(import.meta.url));
  const out = spawnSync('sh', ['-c', `ulimit ${limit} && exec "$0" "$1" "$2"`, process.execPath, join(here, 'fixtures', fixture), file], {
    cwd: join(here, '..'),
    env,
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { stderr: out.stderr, result: JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown> };
}
