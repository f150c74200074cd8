import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { describeThrown, describeValue } from '@patinox/errors';
import type { CacheBackend } from './backend.js';
import { TieredCacheError } from '../errors.js';
import { escapeGlob } from '../internal/glob.js';
import { MAX_TTL_MS } from './ttl-check.js';

/** What a snapshot export or import covered. */
export interface SnapshotInfo {
  namespace: string;
  /** Entries written to (export) or loaded from (import) the file. */
  entries: number;
  /** Tags written or loaded with their member keys, so `invalidateTag` still reaches restored entries. */
  tags: number;
  path: string;
}

/** Options of `TieredCache.importSnapshot`. */
export interface SnapshotImportOptions {
  /** Replace keys that already exist; otherwise they are kept. @default true */
  overwrite?: boolean;
}

/** The `format` field of a snapshot file's header line. */
export const SNAPSHOT_FORMAT = 'patinox-cache-snapshot';
const VERSION = 2;
/** Versions `importSnapshot` reads: 1 had entries only, 2 adds tag lines. */
const READABLE_VERSIONS: readonly unknown[] = [1, 2];
type Call = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

/** The sliding windows of one instance: which it exports, and where it keeps those it imports. */
export interface SnapshotSliding {
  /** The window the exporting instance slides `key` by, 0 when it does not. */
  windowOf(key: string): number;
  /** An imported entry slides by `windowMs` on the importing instance. */
  adopt(key: string, windowMs: number): void;
}

/** Where a namespace keeps its entries (`prefix` + key) and its tag sets (`tagPrefix` + tag). */
export interface SnapshotKeys {
  readonly prefix: string;
  readonly tagPrefix: string;
}

// File format: JSON lines. A header line, then one line per entry: key (without namespace), value as
// base64 (the stored bytes, header byte included), remaining TTL in ms (0 for none), and `s`, the sliding
// window, for an entry the exporting instance slides (optional: a reader that predates it ignores it);
// then (version 2) one line per tag: tag name, member keys, remaining TTL of the tag set.
//
// File errors (no such directory, no permission, a directory at the path) reject with
// CACHE_SNAPSHOT_WRITE_FAILED naming `path`; L2's own errors pass through as they are. No temp file is left.
export async function exportSnapshot(backend: CacheBackend, namespace: string, where: SnapshotKeys, path: string, call: Call, sliding?: SnapshotSliding): Promise<SnapshotInfo> {
  const { prefix, tagPrefix } = where;
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`Expected \`path\` to be a file path, got ${describeValue(path)}`);
  const temp = `${path}.${process.pid}.tmp`;
  const cannotWrite = (err: unknown): TieredCacheError =>
    new TieredCacheError(`Cannot write the cache snapshot ${path}: ${describeThrown(err)}`, 'CACHE_SNAPSHOT_WRITE_FAILED', { path, namespace }, err);
  // Every file call goes through here; a backend call (`call`) is not one of them.
  const onFile = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      throw cannotWrite(err);
    }
  };
  const file = await onFile(open(temp, 'w'));
  let entries = 0;
  let tags = 0;
  try {
    await onFile(file.write(`${JSON.stringify({ format: SNAPSHOT_FORMAT, version: VERSION, namespace, createdAt: new Date().toISOString() })}\n`));
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
        const key = keys[i]!.slice(prefix.length);
        const window = ttl > 0 && sliding !== undefined ? sliding.windowOf(key) : 0;
        const line = window > 0 ? { k: key, v: value.toString('base64'), t: ttl, s: window } : { k: key, v: value.toString('base64'), t: ttl > 0 ? ttl : 0 };
        chunk += `${JSON.stringify(line)}\n`;
        entries += 1;
      }
      if (chunk.length > 0) await onFile(file.write(chunk));
    }
    const tagIterator = backend.scan(`${escapeGlob(tagPrefix)}*`, 500)[Symbol.asyncIterator]();
    for (;;) {
      const step = await call('scan', () => tagIterator.next());
      if (step.done === true) break;
      const keys = step.value;
      const [members, ttls] = await Promise.all([
        Promise.all(keys.map((k) => call('setMembers', () => backend.setMembers(k)))),
        Promise.all(keys.map((k) => call('ttl', () => backend.ttl(k)))),
      ]);
      let chunk = '';
      for (let i = 0; i < keys.length; i += 1) {
        const m = members[i]!;
        const ttl = ttls[i];
        // A tag set that expired or emptied between the scan and the read has nothing left to restore.
        if (m.length === 0 || ttl === null || ttl === undefined) continue;
        chunk += `${JSON.stringify({ g: keys[i]!.slice(tagPrefix.length), m, t: ttl > 0 ? ttl : 0 })}\n`;
        tags += 1;
      }
      if (chunk.length > 0) await onFile(file.write(chunk));
    }
    await onFile(file.sync());
  } catch (err) {
    // The first failure is the one to report: a close or removal failing after it adds nothing.
    await file.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  try {
    await onFile(file.close());
    await onFile(rename(temp, path));
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  return { namespace, entries, tags, path };
}

export async function importSnapshot(backend: CacheBackend, where: SnapshotKeys, path: string, options: SnapshotImportOptions, call: Call, sliding?: SnapshotSliding): Promise<SnapshotInfo> {
  const { prefix, tagPrefix } = where;
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`Expected \`path\` to be a file path, got ${describeValue(path)}`);
  const overwrite = options.overwrite ?? true;
  const invalid = (reason: string, cause?: unknown): TieredCacheError =>
    new TieredCacheError(`${path} is not a readable cache snapshot: ${reason}`, 'CACHE_SNAPSHOT_INVALID', { path, reason }, cause);
  let header = undefined as { format?: unknown; version?: unknown; namespace?: unknown } | undefined;
  let entries = 0;
  let tags = 0;
  let pending: { k: string; v: Buffer; t: number; s: number }[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    let written: readonly boolean[] | undefined;
    if (overwrite) {
      await call('setMany', () => backend.setMany(batch.map((e) => ({ key: prefix + e.k, value: e.v, ttlMs: e.t }))));
    } else {
      written = await Promise.all(batch.map((e) => call('set', () => backend.set(prefix + e.k, e.v, { ttlMs: e.t, nx: true }))));
    }
    // An entry kept (overwrite: false) keeps how it expired.
    if (sliding !== undefined) for (let i = 0; i < batch.length; i += 1) if (batch[i]!.s > 0 && written?.[i] !== false) sliding.adopt(batch[i]!.k, batch[i]!.s);
  };
  const records = readSnapshotRecords(path, {
    unreadable: (err) => invalid(describeThrown(err), err),
    notJson: (err) => invalid(`line ${entries + (header === undefined ? 1 : 2)} is not JSON`, err),
  });
  for await (const parsed of records) {
    if (header === undefined) {
      const candidate = parsed as { format?: unknown; version?: unknown; namespace?: unknown } | null;
      if (candidate?.format !== SNAPSHOT_FORMAT || !READABLE_VERSIONS.includes(candidate.version)) throw invalid('missing or unknown header');
      header = candidate;
      continue;
    }
    const tagLine = parsed as { g?: unknown; m?: unknown; t?: unknown } | null;
    if (typeof tagLine === 'object' && tagLine !== null && 'g' in tagLine) {
      const { g, m, t } = tagLine;
      if (typeof g !== 'string' || g.length === 0 || !Array.isArray(m) || m.some((k) => typeof k !== 'string' || k.length === 0) || !isTtl(t)) {
        throw invalid(`tag ${tags + 1} is malformed`);
      }
      // Entries come first in the file, so every member is already written when its tag lands. With
      // overwrite: false a kept entry also joins the tag: invalidating it then removes a little more
      // than needed, never less.
      if (pending.length > 0) await flush();
      await call('addToSet', () => backend.addToSet(tagPrefix + g, m as string[], t));
      tags += 1;
      continue;
    }
    const entry = parsed as { k?: unknown; v?: unknown; t?: unknown; s?: unknown };
    if (typeof entry !== 'object' || entry === null || typeof entry.k !== 'string' || entry.k.length === 0 || typeof entry.v !== 'string' || !isTtl(entry.t)) {
      throw invalid(`entry ${entries + 1} is malformed`);
    }
    if (entry.s !== undefined && (!isTtl(entry.s) || entry.s === 0)) throw invalid(`entry ${entries + 1} has a sliding window \`s\` that is not a TTL in ms, got ${describeValue(entry.s)}`);
    pending.push({ k: entry.k, v: Buffer.from(entry.v, 'base64'), t: entry.t, s: entry.s ?? 0 });
    entries += 1;
    if (pending.length >= 500) await flush();
  }
  if (header === undefined) throw invalid('the file is empty');
  if (pending.length > 0) await flush();
  return { namespace: typeof header.namespace === 'string' ? header.namespace : '', entries, tags, path };
}

/** A remaining TTL a backend can carry (0: none); a larger one would reach L2 and come back as an outage. */
function isTtl(t: unknown): t is number {
  return typeof t === 'number' && t >= 0 && t <= MAX_TTL_MS;
}

/** The errors {@link readSnapshotRecords} throws, made by its caller. */
export interface SnapshotReadErrors {
  /** For a file that cannot be opened or read (missing, no permission, a directory). */
  unreadable(err: unknown): Error;
  /** For a line that is not JSON. */
  notJson(err: unknown): Error;
}

/**
 * The records of the snapshot file at `path`, one parsed JSON line at a time (empty lines skipped), for
 * every reader of the format (`importSnapshot`, the CLI's `import`). Validating the records is the
 * reader's part. The file is closed when the reader stops, early or not.
 */
export async function* readSnapshotRecords(path: string, errors: SnapshotReadErrors): AsyncGenerator<unknown, void, undefined> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    throw errors.unreadable(err);
  }
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  const lines = reader[Symbol.asyncIterator]();
  try {
    for (;;) {
      let step: IteratorResult<string>;
      try {
        step = await lines.next();
      } catch (err) {
        // A read that fails after the open: a directory opens on Linux, then refuses to be read (EISDIR).
        throw errors.unreadable(err);
      }
      if (step.done === true) break;
      const line = step.value;
      if (line.length === 0) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (err) {
        throw errors.notJson(err);
      }
      yield parsed;
    }
  } finally {
    reader.close();
    stream.destroy();
  }
}
