import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, unlinkSync, type BigIntStats } from 'node:fs';
import {
  describeValue,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeInteger,
  expectObject,
  expectOneOf,
  expectPositiveInteger,
  isPatinoxError,
  optional,
} from '@patinox/errors';
import { createEvent, expectMonitor, noopMonitor, safeRecord, type Monitor } from '@patinox/monitor';
import { MMAP_EVENTS } from '../events.js';
import { MappingAddressAlignmentError, MappingAlignmentError, MappingIoError, MappingRangeError, MappingTooLargeError } from '../errors.js';
import type { MappingAdvice, MappingFallback, MappingMode, MappingOptions, MappingPromotion } from '../options.js';
import { loadBinding, type MmapBinding } from './binding.js';
import { expectPath } from './expect-path.js';
import { ioError } from './io-error.js';
import { addonLimits, FALLBACK_PAGE_SIZE, INT_LIMIT } from './addon-limits.js';
import { MappingCore } from './mapping-core.js';
import { ADVICES } from './mappings.js';

// Opening a mapping: the options every mapping shares, and the checks of the range against the file and the
// addon's limits, before a MappingCore is built.

const MODES: readonly MappingMode[] = ['read', 'readwrite', 'private'];
const FALLBACKS: readonly MappingFallback[] = ['none', 'read'];
const DEFAULT_WINDOW_BYTES = 2 ** 30;
// The addon registers each mapping with V8 as external memory; one allocation that large forces a full,
// synchronous GC (~4 ms for 1 GiB here; a 64 MiB window already crosses V8's limit in a fresh process).
// 'read' ranges are only reached through MappedSlice, so they map lazily in 32 MiB windows, under it.
const READ_WINDOW_BYTES = 2 ** 25;

/**
 * @internal Identity of the file behind `stat` for window reuse: device, inode and birth time (overlayfs keeps
 * the inode number of a file it copies up). `undefined`, so nothing is reused, when the file system reports no
 * birth time.
 */
export function fileIdentity(stat: BigIntStats): string | undefined {
  return stat.birthtimeNs === 0n ? undefined : `${stat.dev}:${stat.ino}:${stat.birthtimeNs}`;
}

/**
 * Opens `path` with `flags`, creating it when `create` (then `created` says whether this call made it, so a
 * failed open can remove it again).
 */
function openFile(path: string, flags: number, create: boolean): { fd: number; created: boolean } {
  if (!create) return { fd: openSync(path, flags), created: false };
  try {
    return { fd: openSync(path, flags | constants.O_CREAT | constants.O_EXCL, 0o644), created: true };
  } catch (err) {
    // EEXIST: the file (or a symlink, which O_EXCL never follows) is there already; open it as before.
    if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
  }
  return { fd: openSync(path, flags | constants.O_CREAT, 0o644), created: false };
}

/** Removes the file a failed open created, unless `path` names another file by now. */
function removeCreated(path: string, stat: BigIntStats | undefined): void {
  try {
    const now = statSync(path, { bigint: true });
    if (stat !== undefined && now.ino === stat.ino && now.dev === stat.dev) unlinkSync(path);
  } catch {
    // Already gone, or not ours to remove: the open's own error is what the caller needs.
  }
}

/** @internal Validated form of {@link MappingOptions}. */
interface ResolvedOptions {
  mode: MappingMode;
  offset: number;
  length: number | undefined;
  size: number | undefined;
  windowBytes: number | undefined;
  checked: boolean | undefined;
  advice: MappingAdvice;
  fallback: MappingFallback;
  monitor: Monitor;
  name: string | undefined;
  loadBinding: (() => unknown) | undefined;
}

/** @internal Every field of {@link MappingOptions}, for reading a bag once with `readKnownOptions` (any other key is refused). */
export const MAPPING_OPTION_KEYS = [
  'mode',
  'offset',
  'length',
  'size',
  'windowBytes',
  'checked',
  'advice',
  'fallback',
  'monitor',
  'name',
  'loadBinding',
] as const satisfies readonly (keyof MappingOptions)[];

/** @internal Validates the options every mapping shares; throws TypeError/RangeError with the house message. */
export function resolveMappingOptions(options: MappingOptions): ResolvedOptions {
  const mode = optional('mode', options.mode, (n, v) => expectOneOf(n, v, MODES), 'read');
  const size = optional<number | undefined>('size', options.size, expectPositiveInteger, undefined);
  // ftruncate takes a safe integer only; anything larger would fail after the file was created.
  if (size !== undefined && !Number.isSafeInteger(size)) throw new RangeError(`Expected \`size\` to be a positive safe integer, got ${describeValue(size)}`);
  if (size !== undefined && mode === 'read') throw new TypeError("Expected `size` to be used with mode 'readwrite' or 'private', got mode 'read'");
  const fallback = optional('fallback', options.fallback, (n, v) => expectOneOf(n, v, FALLBACKS), 'none');
  if (fallback === 'read' && mode !== 'read') {
    throw new TypeError(`Expected \`fallback: 'read'\` to be used with mode 'read', got mode ${describeValue(mode)}`);
  }
  const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
  const name = optional<string | undefined>('name', options.name, expectNonEmptyString, undefined);
  return {
    mode,
    offset: optional('offset', options.offset, expectNonNegativeInteger, 0),
    length: optional<number | undefined>('length', options.length, expectNonNegativeInteger, undefined),
    size,
    windowBytes: optional<number | undefined>('windowBytes', options.windowBytes, expectPositiveInteger, undefined),
    checked: optional<boolean | undefined>('checked', options.checked, expectBoolean, undefined),
    advice: optional('advice', options.advice, (n, v) => expectOneOf(n, v, ADVICES), 'normal'),
    fallback,
    monitor,
    name,
    loadBinding: optional<(() => unknown) | undefined>('loadBinding', options.loadBinding, expectFunction, undefined),
  };
}

/**
 * @internal Opens `path`, validates the range against the file and the layout against `unitBytes` (element
 * or record size), and returns a core with its first window mapped (unless windowed or empty).
 */
export async function openCore(path: string, options: MappingOptions, unitBytes: number, overlap: number, promote: MappingPromotion = 'never'): Promise<MappingCore> {
  expectPath(path);
  expectObject('options', options);
  const o = resolveMappingOptions(options);
  const name = o.name ?? path;
  let binding: MmapBinding | undefined;
  try {
    binding = await loadBinding(o.loadBinding);
  } catch (err) {
    if (o.fallback !== 'read' || !isPatinoxError(err)) throw err;
    safeRecord(o.monitor, createEvent(MMAP_EVENTS.fallback, name, { path, reason: err.message }));
  }
  const pageSize = binding?.PAGESIZE ?? FALLBACK_PAGE_SIZE;
  const limits = addonLimits(pageSize);
  if (o.windowBytes !== undefined && (o.windowBytes < pageSize || o.windowBytes > DEFAULT_WINDOW_BYTES || 2 ** Math.round(Math.log2(o.windowBytes)) !== o.windowBytes)) {
    throw new RangeError(`Expected \`windowBytes\` to be a power of two from the page size (${pageSize}) to ${DEFAULT_WINDOW_BYTES}, got ${describeValue(o.windowBytes)}`);
  }
  if (o.offset % pageSize !== 0) {
    throw new MappingAddressAlignmentError(`Offset ${o.offset} is not a multiple of the page size ${pageSize}`, { context: { path, offset: o.offset, pageSize } });
  }

  const writable = o.size !== undefined || o.mode === 'readwrite';
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever; regular files ignore the flag, and
  // anything that is not one is refused right after fstat.
  const flags = (writable ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NONBLOCK;
  let opened: { fd: number; created: boolean };
  let core: MappingCore | undefined;
  try {
    opened = openFile(path, flags, o.size !== undefined);
  } catch (err) {
    throw ioError('open', path, err);
  }
  const fd = opened.fd;
  let stat: BigIntStats | undefined;
  try {
    stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) {
      const errno = stat.isDirectory() ? 'EISDIR' : 'ENOTREG';
      throw new MappingIoError(`Cannot map ${JSON.stringify(path)}: not a regular file`, { context: { path, errno } });
    }
    // Every check below runs against the size `size` would grow the file to, before it is grown: an open that
    // fails leaves the file as it was (and a file it created is removed), not grown to a size it then refused.
    const currentSize = Number(stat.size);
    const fileSize = o.size === undefined ? currentSize : Math.max(currentSize, o.size);
    if (o.offset > fileSize) {
      throw new MappingRangeError(`Offset ${o.offset} is past the end of ${JSON.stringify(path)} (${fileSize} bytes)`, { context: { path, offset: o.offset, fileSize } });
    }
    const byteLength = o.length ?? fileSize - o.offset;
    if (o.offset + byteLength > fileSize) {
      throw new MappingRangeError(`${JSON.stringify(path)} is ${fileSize} bytes, shorter than offset ${o.offset} + length ${byteLength}`, {
        context: { path, offset: o.offset, length: byteLength, fileSize },
      });
    }
    if (byteLength % unitBytes !== 0) {
      throw new MappingAlignmentError(`${byteLength} bytes of ${JSON.stringify(path)} do not divide into ${unitBytes}-byte units`, {
        context: { path, byteLength, unitBytes },
      });
    }
    const singleLimit = o.mode === 'read' ? READ_WINDOW_BYTES : limits.maxMapBytes;
    const windowBytes = o.windowBytes ?? (byteLength + overlap <= singleLimit ? Math.max(byteLength, pageSize) : Math.min(singleLimit, DEFAULT_WINDOW_BYTES));
    const windowed = byteLength > windowBytes;
    if (binding !== undefined && byteLength > 0) {
      if (o.offset + byteLength > limits.reachableEnd || o.offset > limits.maxFileOffset || windowBytes + overlap >= INT_LIMIT) {
        throw new MappingTooLargeError(
          `The mmap addon addresses files through 32-bit offsets: bytes past ${limits.reachableEnd} cannot be mapped (range ${o.offset}..${o.offset + byteLength}); map a smaller range (offset/length) or read it with fs`,
          { context: { path, offset: o.offset, length: byteLength, reachableEnd: limits.reachableEnd } },
        );
      }
    }
    if (fileSize > currentSize) ftruncateSync(fd, fileSize);
    core = new MappingCore({
      path,
      name,
      fd: byteLength === 0 ? -1 : fd,
      mode: o.mode,
      fileOffset: o.offset,
      byteLength,
      windowBytes,
      windowed,
      overlap,
      checked: o.checked ?? windowed,
      binding,
      advice: o.advice,
      monitor: o.monitor,
      pageSize,
      identity: fileIdentity(stat),
      // Only ranges windowed by the default 'read' window size: an explicit windowBytes is a deliberate choice.
      promotable: promote === 'auto' && o.windowBytes === undefined && o.offset <= limits.maxFileOffset && byteLength <= limits.maxMapBytes,
    });
    if (byteLength === 0) closeSync(fd);
    else if (!windowed) core.window(0);
    safeRecord(o.monitor, createEvent(MMAP_EVENTS.opened, name, { path, mode: o.mode, offset: o.offset, byteLength, windowed, fallback: binding === undefined }));
    return core;
  } catch (err) {
    if (core === undefined) closeSync(fd);
    else core.close(false);
    if (opened.created) removeCreated(path, stat);
    if (isPatinoxError(err) || err instanceof TypeError || err instanceof RangeError) throw err;
    throw ioError('map', path, err);
  }
}
