import type { CleanupError } from './errors.js';
import type { GuardOptions } from './options.js';
import { CLEANED, FAILED, TAKEN, stateError, type Final, type Outcome, type Page } from './internal/entry.js';
import { GUARD_BRAND, RUN, SETTLE, TAKE, TRACK } from './internal/protocol.js';
import { provideGuardFactory } from './internal/guard-factory.js';
import { expectRegistry, unreadable } from './internal/validate.js';
import { defaultRegistry, type ResourceRegistry } from './registry.js';

/**
 * Releases a resource. It may return a promise; it is called at most once per attempt, and again only
 * when it fails with a `recovery: 'retry'` Patinox error. It must not reference the guard, or the guard
 * can never be collected and a leak can never be detected.
 */
export type CleanupFn<T> = (resource: T) => unknown;

/** Where a guard is in its life. */
export type GuardState = 'active' | 'cleaning' | 'cleaned' | 'failed' | 'taken';

const RESOLVED: Promise<void> = Promise.resolve();

// The registry `registry.guard()` constructs the next guard in, consumed by that constructor's first
// statement. It replaces copying the caller's options into a bag with `registry` set: one allocation per
// call on a path a call site runs for every resource it guards.
let forcedRegistry: ResourceRegistry | undefined;

function registryOf(options: GuardOptions | undefined): ResourceRegistry {
  let registry: ResourceRegistry | undefined;
  try {
    registry = options?.registry;
  } catch (cause) {
    throw unreadable('options', cause);
  }
  return expectRegistry(registry, defaultRegistry);
}

function settle(outcome: Outcome): Promise<void> {
  if (outcome === undefined) return RESOLVED;
  if (outcome instanceof Promise) return outcome;
  return Promise.reject(outcome);
}

/**
 * Owns a resource and the async function that releases it. Cleanup is explicit (`cleanup()`,
 * `await using`), automatic when the guard is collected without cleanup (a leak: reported and cleaned by
 * the registry's queue), and complete on `shutdown()`.
 *
 * @example
 * ```ts
 * await using file = guard(await open(path, 'w'), (h) => h.close(), { name: 'report.csv' });
 * await file.get().write('a,b\n');
 * ```
 */
export class AsyncResourceGuard<T> implements AsyncDisposable {
  // Two fields, so a guard is 40 bytes: everything else about the resource lives in the registry's slot.
  // While tracked: the registry's page and the slot's index in it. Once the slot is released the
  // registry calls [SETTLE]: #owner becomes the final state (CLEANED, TAKEN, FAILED) and #handle the id
  // (the CleanupError for FAILED, whose context carries the id), so a released guard never reads a
  // slot that may hold another resource.
  #owner: Page | number;
  #handle: number | CleanupError;

  /**
   * Registers `resource` with `options.registry` (or the default registry).
   * @throws TypeError when `cleanup` is not a function or an option is invalid.
   * @throws RegistryShutdownError `RESOURCE_REGISTRY_SHUTTING_DOWN` when the registry is shutting down (the caller keeps the resource).
   */
  constructor(resource: T, cleanup: CleanupFn<T>, options?: GuardOptions) {
    // Taken at once: a getter of `options` run by TRACK may itself construct a guard.
    const forced = forcedRegistry;
    forcedRegistry = undefined;
    const page = (forced ?? registryOf(options))[TRACK](this, resource, cleanup, options);
    this.#owner = page;
    this.#handle = page.tracked;
  }

  /** Registry-unique id, as in `registry.list()`. */
  get id(): number {
    const owner = this.#owner;
    const handle = this.#handle;
    if (typeof owner !== 'number') return owner.ids[handle as number]!;
    return typeof handle === 'number' ? handle : (handle.context.id as number);
  }

  /** Where the guard is in its life; `cleaning` while its cleanup runs. */
  get state(): GuardState {
    const owner = this.#owner;
    if (typeof owner !== 'number') return typeof owner.fns[this.#handle as number] === 'function' ? 'active' : 'cleaning';
    if (owner === CLEANED) return 'cleaned';
    return owner === TAKEN ? 'taken' : 'failed';
  }

  /** True once the cleanup has completed successfully. */
  get isCleanedUp(): boolean {
    return this.#owner === CLEANED;
  }

  /**
   * The resource.
   * @throws ResourceStateError `RESOURCE_ALREADY_CLEANED_UP` once cleanup started, `RESOURCE_TAKEN` after `intoInner()`.
   */
  get(): T {
    const owner = this.#owner;
    if (typeof owner === 'number') throw stateError(this.id, owner === TAKEN, 'use');
    const i = this.#handle as number;
    // Once its cleanup starts, fns[i] holds the run (RUNNING or its promise) instead of the function.
    if (typeof owner.fns[i] !== 'function') throw stateError(owner.ids[i]!, false, 'use');
    return owner.resources[i] as T;
  }

  /**
   * Takes the resource out: it is no longer tracked and will never be cleaned by this guard.
   * @throws ResourceStateError `RESOURCE_ALREADY_CLEANED_UP` once cleanup started, `RESOURCE_TAKEN` when already taken.
   */
  intoInner(): T {
    const owner = this.#owner;
    if (typeof owner === 'number') throw stateError(this.id, owner === TAKEN, 'take');
    return owner.registry[TAKE](owner, this.#handle as number, this) as T;
  }

  /**
   * Releases the resource. Idempotent: every call, concurrent or later, gets the outcome of the single run
   * (including a run started by the queue). After `intoInner()` it resolves without doing anything.
   * @throws (rejects) CleanupError `RESOURCE_CLEANUP_TIMEOUT` or `RESOURCE_CLEANUP_FAILED` (the original error as `cause`).
   */
  cleanup(): Promise<void> {
    const owner = this.#owner;
    if (typeof owner !== 'number') return settle(owner.registry[RUN](owner, this.#handle as number, this));
    if (owner !== FAILED) return RESOLVED;
    const error = this.#handle as CleanupError;
    return Promise.reject(error);
  }

  /** `await using g = guard(...)` calls `cleanup()` at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.cleanup();
  }

  /** Brand recognised across the ESM and CJS copies of this package. */
  get [GUARD_BRAND](): true {
    return true;
  }

  /** @internal Called by the registry when it releases this guard's slot. */
  [SETTLE](final: Final, id: number): void {
    if (typeof final === 'number') {
      this.#owner = final;
      this.#handle = id;
    } else {
      this.#owner = FAILED;
      this.#handle = final;
    }
  }
}

provideGuardFactory((registry, resource, cleanup, options) => {
  forcedRegistry = registry;
  return new AsyncResourceGuard(resource, cleanup, options);
});

/** True when `value` is an {@link AsyncResourceGuard} from any copy (ESM or CJS) of this package. */
export function isResourceGuard(value: unknown): value is AsyncResourceGuard<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[GUARD_BRAND] === true;
  } catch {
    // A Proxy whose traps throw is not one of ours; never throw from a type check.
    return false;
  }
}

/**
 * Guards `resource` with `cleanup`; see {@link AsyncResourceGuard}.
 *
 * @example
 * ```ts
 * await using conn = guard(net.connect(port), (s) => s.destroy(), { priority: CleanupPriority.High });
 * ```
 * @throws TypeError when `cleanup` is not a function or an option is invalid.
 * @throws RegistryShutdownError `RESOURCE_REGISTRY_SHUTTING_DOWN` when the registry is shutting down.
 */
export function guard<T>(resource: T, cleanup: CleanupFn<T>, options?: GuardOptions): AsyncResourceGuard<T> {
  return new AsyncResourceGuard(resource, cleanup, options);
}

/**
 * Guards anything that implements `Symbol.asyncDispose` or `Symbol.dispose` in `options.registry` (or the
 * default registry); see `ResourceRegistry.adopt`.
 * @throws TypeError when `disposable` implements neither.
 */
export function adopt<T extends AsyncDisposable | Disposable>(disposable: T, options?: GuardOptions): AsyncResourceGuard<T> {
  let registry: ResourceRegistry | undefined;
  try {
    registry = options?.registry;
  } catch (cause) {
    throw unreadable('options', cause);
  }
  return expectRegistry(registry, defaultRegistry).adopt(disposable, options);
}
