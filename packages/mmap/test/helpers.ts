import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
