import { toError } from '@patinox/errors';
import { MappingUnavailableError } from '../errors.js';

/** @internal The part of `@riaskov/mmap-io` this package uses. */
export interface MmapBinding {
  map(size: number, protection: number, flags: number, fd: number, offset?: number, advise?: number): Buffer;
  advise(buffer: Buffer, advise: number): void;
  incore(buffer: Buffer): [number, number];
  readonly PROT_READ: number;
  readonly PROT_WRITE: number;
  readonly MAP_SHARED: number;
  readonly MAP_PRIVATE: number;
  readonly MADV_NORMAL: number;
  readonly MADV_RANDOM: number;
  readonly MADV_SEQUENTIAL: number;
  readonly MADV_WILLNEED: number;
  readonly MADV_DONTNEED: number;
  readonly PAGESIZE: number;
}

let defaultBinding: Promise<unknown> | undefined;

// A dynamic import works in both builds: tsc turns it into `require()` in the CJS build and keeps a real
// `import()` (resolved from this file, not from the caller's cwd) in the ESM build. Loading lazily keeps a
// missing or broken addon from failing the import of the package itself.
function loadDefault(): Promise<unknown> {
  defaultBinding ??= import('@riaskov/mmap-io');
  return defaultBinding;
}

function isBinding(value: unknown): value is MmapBinding {
  return typeof value === 'object' && value !== null && typeof (value as MmapBinding).map === 'function' && typeof (value as MmapBinding).PAGESIZE === 'number';
}

// The addon's typings declare `export default` while it sets `module.exports`: depending on the loader the
// binding arrives as the namespace, its `default`, or `default.default`.
function unwrap(value: unknown): MmapBinding | undefined {
  let current = value;
  for (let depth = 0; depth < 3; depth += 1) {
    if (isBinding(current)) return current;
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as { default?: unknown }).default;
  }
  return undefined;
}

/** @internal Loads the addon with `loader` (or the default lazy import) and checks its shape. */
export async function loadBinding(loader: (() => unknown) | undefined): Promise<MmapBinding> {
  let loaded: unknown;
  try {
    loaded = await (loader === undefined ? loadDefault() : loader());
  } catch (err) {
    const cause = toError(err);
    throw new MappingUnavailableError(
      `The native mmap addon @riaskov/mmap-io could not be loaded: ${cause.message}. Rebuild it (pnpm rebuild @riaskov/mmap-io) or open with { fallback: 'read' }`,
      { cause },
    );
  }
  let binding: MmapBinding | undefined;
  try {
    binding = unwrap(loaded);
  } catch (err) {
    // A getter or Proxy trap of the loaded value threw: as unusable as a module without map().
    const cause = toError(err);
    throw new MappingUnavailableError(`The native mmap addon could not be inspected: ${cause.message}; open with { fallback: 'read' } to read the file instead`, { cause });
  }
  if (binding === undefined) {
    throw new MappingUnavailableError(
      "The native mmap addon loaded but does not export map() and PAGESIZE; open with { fallback: 'read' } to read the file instead",
    );
  }
  return binding;
}
