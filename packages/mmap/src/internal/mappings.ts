import { toError } from '@patinox/errors';
import { MappingFailedError } from '../errors.js';
import type { MappingAdvice, MappingMode } from '../options.js';
import type { MmapBinding } from './binding.js';
import { detachBuffer } from './detach.js';

// The process-wide side of mappings, shared by every open file: the addon calls that map and advise, the
// reuse of live windows across opens, and who holds a writable mapping whose Buffer escaped.

/** @internal The `advice` values. */
export const ADVICES: readonly MappingAdvice[] = ['normal', 'sequential', 'random', 'willneed', 'dontneed'];

/** @internal The addon's `madvise` constant for `advice`. */
export function adviceNumber(binding: MmapBinding, advice: MappingAdvice): number {
  switch (advice) {
    case 'sequential':
      return binding.MADV_SEQUENTIAL;
    case 'random':
      return binding.MADV_RANDOM;
    case 'willneed':
      return binding.MADV_WILLNEED;
    case 'dontneed':
      return binding.MADV_DONTNEED;
    default:
      return binding.MADV_NORMAL;
  }
}

// Windows of closed files stay mapped until V8 collects their Buffers (the addon has no unmap), and every new
// mapping adds to V8's external memory, which triggers garbage collections. So a window of the same file,
// mode and range that is still alive is handed out again: a reopened file maps nothing new. Only shared
// mappings ('read', 'readwrite') are reused: they show the same page cache a fresh mapping would, while
// 'private' ones carry their own copy-on-write pages. A live mapping pins its inode, so the inode number
// cannot be reused meanwhile; the birth time also tells apart a file that overlayfs copied up under the
// same inode number. Keyed per addon instance.
const reusableWindows = new WeakMap<MmapBinding, Map<string, WeakRef<Buffer>>>();
const reusableCleanup = new FinalizationRegistry<{ windows: Map<string, WeakRef<Buffer>>; key: string }>(({ windows, key }) => {
  if (windows.get(key)?.deref() === undefined) windows.delete(key);
});

// Writable mappings whose Buffer escaped as the raw typed array of `asSlice()`, and which open files hold
// each writable mapping (reuse lets several open files share one). When the last holder closes, or any holder
// finds the file truncated, an escaped mapping is detached: the escaped array then reads `undefined` and
// ignores writes instead of reaching a mapping its file no longer vouches for. A detach for a truncation
// poisons the other holders too: their views would otherwise read `undefined` and drop writes silently.
// Holders are held weakly, so a file dropped without close() can still be collected; it keeps counting as a
// holder, so an array it handed out is never detached by another file's close().
const escapedBuffers = new WeakSet<Buffer>();
const holders = new WeakMap<Buffer, Set<WeakRef<MappingHolder>>>();

/** @internal An open file holding writable mappings, as the other holders of one of them see it. */
export interface MappingHolder {
  /** The shared mapping was revoked because the file shrank to `size` bytes: poison every view. */
  poison(size: number): void;
}

/**
 * @internal A failed addon call as `MMAP_FAILED`. The addon reports the errno only in its message
 * (`mmap failed, 12`), so it is parsed into `context.errno`.
 */
export function mappingFailed(call: string, path: string, mapStart: number, bytes: number, err: unknown): MappingFailedError {
  const cause = toError(err);
  const errno = /, (\d+)$/.exec(cause.message)?.[1];
  return new MappingFailedError(`${call} of ${path} at ${mapStart} (+${bytes} bytes) failed: ${cause.message}`, {
    cause,
    context: { path, offset: mapStart, bytes, ...(errno === undefined ? {} : { errno: Number(errno) }) },
  });
}

/**
 * @internal A live mapping under `key` (same file, mode and range) from an earlier open, with `advice` applied;
 * `undefined` when there is none or `key` is `undefined` (never reused).
 */
export function reuseMapping(binding: MmapBinding, key: string | undefined, advice: MappingAdvice, path: string, mapStart: number, bytes: number): Buffer | undefined {
  if (key === undefined) return undefined;
  const buffer = reusableWindows.get(binding)?.get(key)?.deref();
  // A detached mapping (see markEscaped) has length 0 and maps nothing any more.
  if (buffer === undefined || buffer.length === 0) return undefined;
  try {
    binding.advise(buffer, adviceNumber(binding, advice));
  } catch (err) {
    throw mappingFailed('madvise', path, mapStart, bytes, err);
  }
  return buffer;
}

/** @internal What {@link mapRange} maps from. */
export interface MapSource {
  readonly fd: number;
  readonly mode: MappingMode;
  readonly advice: MappingAdvice;
  readonly path: string;
}

/** @internal Maps `bytes` of the file from `mapStart` and, under `key`, offers the mapping to later opens. */
export function mapRange(binding: MmapBinding, key: string | undefined, source: MapSource, mapStart: number, bytes: number): Buffer {
  const prot = source.mode === 'read' ? binding.PROT_READ : binding.PROT_READ | binding.PROT_WRITE;
  const flags = source.mode === 'private' ? binding.MAP_PRIVATE : binding.MAP_SHARED;
  let buffer: Buffer;
  try {
    buffer = binding.map(bytes, prot, flags, source.fd, mapStart, adviceNumber(binding, source.advice));
  } catch (err) {
    throw mappingFailed('mmap', source.path, mapStart, bytes, err);
  }
  if (key !== undefined) {
    let windows = reusableWindows.get(binding);
    if (windows === undefined) {
      windows = new Map();
      reusableWindows.set(binding, windows);
    }
    windows.set(key, new WeakRef(buffer));
    reusableCleanup.register(buffer, { windows, key });
  }
  return buffer;
}

/** @internal Marks a writable mapping as handed out raw, so {@link dropHolder} detaches it. */
export function markEscaped(buffer: Buffer): void {
  escapedBuffers.add(buffer);
}

/** @internal Records one more open file, `holder`, holding the writable mapping `buffer`. */
export function addHolder(buffer: Buffer, holder: WeakRef<MappingHolder>): void {
  let held = holders.get(buffer);
  if (held === undefined) {
    held = new Set();
    holders.set(buffer, held);
  }
  held.add(holder);
}

/**
 * @internal The open file `holder` lets go of the writable mapping `buffer`: an escaped one is detached when it
 * was the last holder, or at once when the file was found truncated (`truncatedSize`, the size found), which
 * then poisons the remaining holders.
 */
export function dropHolder(buffer: Buffer, holder: WeakRef<MappingHolder>, truncatedSize: number | undefined): void {
  const held = holders.get(buffer);
  if (held === undefined || !held.delete(holder)) return;
  if ((held.size === 0 || truncatedSize !== undefined) && escapedBuffers.has(buffer) && detachBuffer(buffer) && truncatedSize !== undefined) {
    for (const other of [...held]) other.deref()?.poison(truncatedSize);
  }
}
