import type { CleanupError } from '../errors.js';
import type { RUN, TAKE } from './protocol.js';

// Settled-less entry states. A run in flight is represented by its promise and a failed run by its error,
// in the same field: one field less per tracked resource (8 bytes on a 64-bit heap).
export const ACTIVE = 0;
/** A synchronous cleanup is running (no promise yet). */
export const RUNNING = 1;
export const CLEANED = 2;
export const TAKEN = 3;

/**
 * What a cleanup run ends with: nothing (cleaned or handed back), the error, or a promise that fulfills
 * when the run succeeds and rejects with the CleanupError when it fails. `cleanup()` hands that promise
 * to every caller as is; the registry's own waits (queue, shutdown) attach handlers, so a rejection
 * nobody asked for is never unhandled.
 */
export type Outcome = CleanupError | undefined | Promise<void>;

/** An entry's state: one of the constants, the promise of the run in flight, or the error it failed with. */
export type EntryState = typeof ACTIVE | typeof RUNNING | typeof CLEANED | typeof TAKEN | Promise<void> | CleanupError;

/** The run's outcome so far: its promise while in flight, its error once failed, otherwise nothing. */
export function outcomeOf(state: EntryState): Outcome {
  return typeof state === 'number' ? undefined : state;
}

export function isInFlight(state: EntryState): boolean {
  return state === RUNNING || state instanceof Promise;
}

export function isFailed(state: EntryState): state is CleanupError {
  return typeof state === 'object' && !(state instanceof Promise);
}

/**
 * Per-resource facts that rarely vary, shared by the resources of a registry created with equal options
 * (see InfoFactory). Holding the registry here rather than in each entry saves a field per resource.
 */
export interface EntryInfo {
  readonly registry: RegistryProtocol;
  readonly name: string | undefined;
  readonly priority: number;
  readonly sizeBytes: number;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** 0 means "the registry's default". */
  readonly timeoutMs: number;
  /** Holder of a captured (lazily formatted) stack, when `trackStacks` is on. */
  readonly stack: { stack?: string } | undefined;
}

/** Capture time origin: `createdAt` is stored relative to it so the field stays a Smi (no boxed double). */
export const EPOCH = Date.now();

/** What an entry needs from its registry (see protocol.ts for why these are symbol-keyed). */
export interface RegistryProtocol {
  [RUN](entry: Entry): Outcome;
  [TAKE](entry: Entry): unknown;
}

/**
 * One tracked resource. It is what the registry's list and the FinalizationRegistry hold, so it must never
 * reference its guard: the guard has to stay collectable for leak detection to work.
 */
export class Entry {
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;
  state: EntryState = ACTIVE;

  constructor(
    readonly id: number,
    public resource: unknown,
    public cleanup: ((resource: unknown) => unknown) | undefined,
    readonly info: EntryInfo,
    readonly createdAt: number,
  ) {}
}

/** The resource's type for reports: its constructor name, or its `typeof`. */
export function typeName(resource: unknown): string {
  if (resource === null) return 'null';
  if (typeof resource === 'object' || typeof resource === 'function') {
    const name = (resource as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name.length > 0 ? name : typeof resource;
  }
  return typeof resource;
}
