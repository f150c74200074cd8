import type { CleanupError } from '../errors.js';
import type { RUN, TAKE } from './protocol.js';

// Entry states. A plain small integer keeps the field a Smi.
export const ACTIVE = 0;
export const RUNNING = 1;
export const CLEANED = 2;
export const FAILED = 3;
export const TAKEN = 4;

/** What a cleanup run ends with: nothing (cleaned or handed back), the error, or a promise of either. */
export type Outcome = CleanupError | undefined | Promise<CleanupError | undefined>;

/** Per-resource facts that rarely vary; resources created without options share {@link DEFAULT_INFO}. */
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

export const DEFAULT_INFO: EntryInfo = Object.freeze({
  name: undefined,
  priority: 1,
  sizeBytes: 0,
  metadata: undefined,
  timeoutMs: 0,
  stack: undefined,
});

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
  state = ACTIVE;
  outcome: Outcome = undefined;

  constructor(
    readonly id: number,
    public resource: unknown,
    public cleanup: ((resource: unknown) => unknown) | undefined,
    readonly info: EntryInfo,
    readonly createdAt: number,
    readonly registry: RegistryProtocol,
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
