import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { describeValue, toError } from '@patinox/errors';
import type { CacheBackend } from './backend.js';
import { TieredCacheError } from './errors.js';
import { escapeGlob } from './internal/glob.js';

/** What a snapshot export or import covered. */
export interface SnapshotInfo {
  namespace: string;
  /** Entries written to (export) or loaded from (import) the file. */
  entries: number;
  path: string;
}

/** Options of `TieredCache.importSnapshot`. */
export interface SnapshotImportOptions {
  /** Replace keys that already exist; otherwise they are kept. @default true */
  overwrite?: boolean;
}

const FORMAT = 'patinox-cache-snapshot';
const VERSION = 1;
type Call = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

// File format: JSON lines. A header line, then one line per entry: key (without namespace), value as
// base64 (the stored bytes, header byte included), remaining TTL in ms (0 for none).
export async function exportSnapshot(backend: CacheBackend, namespace: string, prefix: string, path: string, call: Call): Promise<SnapshotInfo> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`Expected \`path\` to be a file path, got ${describeValue(path)}`);
  const temp = `${path}.${process.pid}.tmp`;
  const file = await open(temp, 'w');
  let entries = 0;
  try {
    await file.write(`${JSON.stringify({ format: FORMAT, version: VERSION, namespace, createdAt: new Date().toISOString() })}\n`);
    const iterator = backend.scan(`${escapeGlob(prefix)}*`, 500)[Symbol.asyncIterator]();
    for (;;) {
      const step = await call('scan', () => iterator.next());
      if (step.done === true) break;
      const keys = step.value;
      const [values, ttls] = await Promise.all([call('getMany', () => backend.getMany(keys)), Promise.all(keys.map((k) => call('ttl', () => backend.ttl(k))))]);
      let chunk = '';
      for (let i = 0; i < keys.length; i += 1) {
        const value = values[i];
        const ttl = ttls[i];
        if (value === null || value === undefined || ttl === null || ttl === undefined) continue;
        chunk += `${JSON.stringify({ k: keys[i]!.slice(prefix.length), v: value.toString('base64'), t: ttl > 0 ? ttl : 0 })}\n`;
        entries += 1;
      }
      if (chunk.length > 0) await file.write(chunk);
    }
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
  return { namespace, entries, path };
}

export async function importSnapshot(backend: CacheBackend, prefix: string, path: string, options: SnapshotImportOptions, call: Call): Promise<SnapshotInfo> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`Expected \`path\` to be a file path, got ${describeValue(path)}`);
  const overwrite = options.overwrite ?? true;
  const invalid = (reason: string, cause?: unknown): TieredCacheError =>
    new TieredCacheError(`${path} is not a readable cache snapshot: ${reason}`, 'CACHE_SNAPSHOT_INVALID', { path, reason }, cause);
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw invalid(toError(err).message, err);
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let header = undefined as { format?: unknown; version?: unknown; namespace?: unknown } | undefined;
  let entries = 0;
  let pending: { k: string; v: Buffer; t: number }[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (overwrite) {
      await call('setMany', () => backend.setMany(batch.map((e) => ({ key: prefix + e.k, value: e.v, ttlMs: e.t }))));
    } else {
      await Promise.all(batch.map((e) => call('set', () => backend.set(prefix + e.k, e.v, { ttlMs: e.t, nx: true }))));
    }
  };
  try {
    for await (const line of lines) {
      if (line.length === 0) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (err) {
        throw invalid(`line ${entries + (header === undefined ? 1 : 2)} is not JSON`, err);
      }
      if (header === undefined) {
        const candidate = parsed as { format?: unknown; version?: unknown; namespace?: unknown } | null;
        if (candidate?.format !== FORMAT || candidate.version !== VERSION) throw invalid('missing or unknown header');
        header = candidate;
        continue;
      }
      const entry = parsed as { k?: unknown; v?: unknown; t?: unknown };
      if (typeof entry !== 'object' || entry === null || typeof entry.k !== 'string' || typeof entry.v !== 'string' || typeof entry.t !== 'number' || !(entry.t >= 0)) {
        throw invalid(`entry ${entries + 1} is malformed`);
      }
      pending.push({ k: entry.k, v: Buffer.from(entry.v, 'base64'), t: entry.t });
      entries += 1;
      if (pending.length >= 500) await flush();
    }
    if (header === undefined) throw invalid('the file is empty');
    if (pending.length > 0) await flush();
  } finally {
    lines.close();
    stream.destroy();
  }
  return { namespace: typeof header.namespace === 'string' ? header.namespace : '', entries, path };
}
