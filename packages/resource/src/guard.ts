import { describeValue } from '@patinox/errors';
import type { GuardOptions } from './options.js';
import { ACTIVE, CLEANED, TAKEN, isFailed, type Entry, type Outcome, type RegistryProtocol } from './internal/entry.js';
import { GUARD_BRAND, RUN, TAKE, TRACK } from './internal/protocol.js';
import { accessError, defaultRegistry, type ResourceRegistry } from './registry.js';

/**
 * Releases a resource. It may return a promise; it is called at most once per attempt, and again only
 * when it fails with a `recovery: 'retry'` Patinox error. It must not reference the guard, or the guard
 * can never be collected and a leak can never be detected.
 */
export type CleanupFn<T> = (resource: T) => unknown;

/** Where a guard is in its life. */
export type GuardState = 'active' | 'cleaning' | 'cleaned' | 'failed' | 'taken';

const RESOLVED: Promise<void> = Promise.resolve();

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
  readonly #entry: Entry;

  /**
   * Registers `resource` with `options.registry` (or the default registry).
   * @throws TypeError when `cleanup` is not a function or an option is invalid.
   * @throws RegistryShutdownError `REGISTRY_SHUTTING_DOWN` when the registry is shutting down (the caller keeps the resource).
   */
  constructor(resource: T, cleanup: CleanupFn<T>, options?: GuardOptions) {
    let registry: ResourceRegistry;
    if (options?.registry === undefined) registry = defaultRegistry();
    else {
      registry = options.registry;
      if (typeof (registry as Partial<ResourceRegistry>)[TRACK] !== 'function') {
        throw new TypeError(`Expected \`registry\` to be a ResourceRegistry, got ${describeValue(registry)}`);
      }
    }
    this.#entry = registry[TRACK](this, resource, cleanup, options);
  }

  /** Registry-unique id, as in `registry.list()`. */
  get id(): number {
    return this.#entry.id;
  }

  /** Where the guard is in its life; `cleaning` while its cleanup runs. */
  get state(): GuardState {
    const { state } = this.#entry;
    if (state === ACTIVE) return 'active';
    if (state === CLEANED) return 'cleaned';
    if (state === TAKEN) return 'taken';
    return isFailed(state) ? 'failed' : 'cleaning';
  }

  /** True once the cleanup has completed successfully. */
  get isCleanedUp(): boolean {
    return this.#entry.state === CLEANED;
  }

  /**
   * The resource.
   * @throws ResourceStateError `ALREADY_CLEANED_UP` once cleanup started, `RESOURCE_TAKEN` after `intoInner()`.
   */
  get(): T {
    const entry = this.#entry;
    if (entry.state !== ACTIVE) throw accessError(entry);
    return entry.resource as T;
  }

  /**
   * Takes the resource out: it is no longer tracked and will never be cleaned by this guard.
   * @throws ResourceStateError `ALREADY_CLEANED_UP` once cleanup started, `RESOURCE_TAKEN` when already taken.
   */
  intoInner(): T {
    return this.#registry()[TAKE](this.#entry) as T;
  }

  /**
   * Releases the resource. Idempotent: every call, concurrent or later, gets the outcome of the single run
   * (including a run started by the queue). After `intoInner()` it resolves without doing anything.
   * @throws (rejects) CleanupError `CLEANUP_TIMEOUT` or `CLEANUP_FAILED` (the original error as `cause`).
   */
  cleanup(): Promise<void> {
    return settle(this.#registry()[RUN](this.#entry));
  }

  /** `await using g = guard(...)` calls `cleanup()` at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.cleanup();
  }

  /** Brand recognised across the ESM and CJS copies of this package. */
  get [GUARD_BRAND](): true {
    return true;
  }

  #registry(): RegistryProtocol {
    return this.#entry.info.registry;
  }
}

/** True when `value` is an {@link AsyncResourceGuard} from any copy (ESM or CJS) of this package. */
export function isResourceGuard(value: unknown): value is AsyncResourceGuard<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[GUARD_BRAND] === true;
}

/**
 * Guards `resource` with `cleanup`; see {@link AsyncResourceGuard}.
 *
 * @example
 * ```ts
 * await using conn = guard(net.connect(port), (s) => s.destroy(), { priority: CleanupPriority.High });
 * ```
 * @throws TypeError when `cleanup` is not a function or an option is invalid.
 * @throws RegistryShutdownError `REGISTRY_SHUTTING_DOWN` when the registry is shutting down.
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
  const registry = options?.registry ?? defaultRegistry();
  if (typeof (registry as Partial<ResourceRegistry>)[TRACK] !== 'function') {
    throw new TypeError(`Expected \`registry\` to be a ResourceRegistry, got ${describeValue(registry)}`);
  }
  return registry.adopt(disposable, options);
}
