import { RESOURCE_ALREADY_CLEANED_UP, RESOURCE_TAKEN, ResourceStateError, type CleanupError } from '../errors.js';
import type { RUN, SETTLE, TAKE } from './protocol.js';

/** Marker in `Page.fns` while a synchronous cleanup runs (no promise yet). */
export const RUNNING = 1;
// Final states, as a guard keeps them once its slot is released (a failed run keeps its CleanupError).
export const CLEANED = 2;
export const TAKEN = 3;
export const FAILED = 4;

/** What a released slot ends with; handed to its guard through `[SETTLE]`. */
export type Final = typeof CLEANED | typeof TAKEN | CleanupError;

/**
 * What a cleanup run ends with: nothing (cleaned or handed back), the error, or a promise that fulfills
 * when the run succeeds and rejects with the CleanupError when it fails. `cleanup()` hands that promise
 * to every caller as is; the registry's own waits (queue, shutdown) attach handlers, so a rejection
 * nobody asked for is never unhandled.
 */
export type Outcome = CleanupError | undefined | Promise<void>;

/**
 * Per-resource facts that rarely vary, shared by the resources of a registry created with equal options
 * (see InfoFactory), so a tracked resource usually costs one pointer to a shared info.
 */
export interface EntryInfo {
  readonly name: string | undefined;
  readonly priority: number;
  readonly sizeBytes: number;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** 0 means "the registry's default". */
  readonly timeoutMs: number;
  /** Holder of a captured (lazily formatted) stack, when `trackStacks` is on. */
  readonly stack: { stack?: string } | undefined;
}

/** Capture time origin: `createdAt` is stored relative to it. */
export const EPOCH = Date.now();

export const PAGE_BITS = 9;
export const PAGE_SIZE = 1 << PAGE_BITS;
export const PAGE_MASK = PAGE_SIZE - 1;
/** Ids and creation times fit 32-bit typed arrays up to here; past it (or before EPOCH) a registry widens to 64-bit floats. */
export const NARROW_MAX = 0xffff_ffff;

/**
 * PAGE_SIZE slots of tracked resources, as parallel arrays (struct of arrays): a tracked resource costs
 * one element in each, about 44 bytes, instead of an entry object with its 24-byte header, list links and
 * a FinalizationRegistry cell. A slot is free when `fns[i]` is undefined; free slots of a page are linked
 * through `ids` (`ids[i]` = next free index + 1, 0 ends the list), so the free list costs nothing.
 * Pages, not one growing array, so growth never copies and never leaves half an array unused.
 */
export class Page {
  readonly resources: unknown[] = new Array<unknown>(PAGE_SIZE).fill(undefined);
  /** The cleanup function while active, RUNNING during a synchronous run, the run's promise while in flight. */
  readonly fns: unknown[] = new Array<unknown>(PAGE_SIZE).fill(undefined);
  readonly infos: (EntryInfo | undefined)[] = new Array<EntryInfo | undefined>(PAGE_SIZE).fill(undefined);
  /** The guard (strongly, until leak tracking takes over at the end of its macrotask), its WeakRef, or nothing. */
  readonly refs: (object | WeakRef<object> | undefined)[] = new Array<object | undefined>(PAGE_SIZE).fill(undefined);
  ids: Uint32Array | Float64Array;
  /** Creation time, ms since EPOCH. */
  created: Uint32Array | Float64Array;
  live = 0;
  /** Slots below it have been used at least once. */
  bump = 0;
  freeHead = -1;
  /** In the registry's list of pages with free slots. */
  listed = false;
  /** The slot `[TRACK]` just filled: a guard holds its page and this index. */
  tracked = 0;

  constructor(
    readonly index: number,
    wide: boolean,
    /** The owner, so a guard holding a page needs no field for its registry. */
    readonly registry: RegistryProtocol,
  ) {
    this.ids = wide ? new Float64Array(PAGE_SIZE) : new Uint32Array(PAGE_SIZE);
    this.created = wide ? new Float64Array(PAGE_SIZE) : new Uint32Array(PAGE_SIZE);
  }

  widen(): void {
    this.ids = Float64Array.from(this.ids);
    this.created = Float64Array.from(this.created);
  }
}

/**
 * What a guard needs from its registry beyond reading its page (see protocol.ts for why these are
 * symbol-keyed). A guard reads `fns`, `resources` and `ids` of its own slot directly: `get()` is then a
 * couple of array loads, with no call into the registry.
 */
export interface RegistryProtocol {
  [RUN](page: Page, i: number, guard: object): Outcome;
  [TAKE](page: Page, i: number, guard: object): unknown;
}

/** What a registry calls on a guard when it releases the guard's slot. */
export interface Settleable {
  [SETTLE](final: Final, id: number): void;
}

/** The error for using (`'use'`) or taking (`'take'`) a resource whose cleanup started or that was handed back. */
export function stateError(id: number, taken: boolean, verb: 'use' | 'take'): ResourceStateError {
  if (taken) {
    return new ResourceStateError(`Cannot ${verb} resource #${id}: it was already handed back by intoInner()`, {
      code: RESOURCE_TAKEN,
      context: { id },
    });
  }
  return new ResourceStateError(`Cannot ${verb} resource #${id}: its cleanup has started`, {
    code: RESOURCE_ALREADY_CLEANED_UP,
    context: { id },
  });
}

/** The resource's type for reports: its constructor name, or its `typeof`. */
export function typeName(resource: unknown): string {
  if (resource === null) return 'null';
  if (typeof resource === 'object' || typeof resource === 'function') {
    let name: unknown;
    try {
      name = (resource as { constructor?: { name?: unknown } }).constructor?.name;
    } catch {
      // A Proxy whose traps throw, or a revoked one: reports and failures must still name it.
      name = undefined;
    }
    return typeof name === 'string' && name.length > 0 ? name : typeof resource;
  }
  return typeof resource;
}
