import { expectFunction, expectObject, expectString, optional, readKnownOptions, toError } from '@patinox/errors';
import { RESOURCE_ALREADY_CLEANED_UP, CleanupError, ResourceStateError, RESOURCE_SCOPE_CLEANUP_FAILED } from './errors.js';
import { AsyncResourceGuard, isResourceGuard, type CleanupFn } from './guard.js';
import type { GuardOptions, ScopeOptions } from './options.js';
import { defaultRegistry, type ResourceRegistry } from './registry.js';
import { expectRegistry, unreadable } from './internal/validate.js';

/**
 * A group of resources cleaned together in reverse order of creation, like `AsyncDisposableStack`
 * (which Node 20 lacks). Every member is also tracked by the registry, so a scope that is dropped without
 * cleanup still has its members cleaned (as leaks, in priority order rather than reverse order).
 * All member failures are reported together: one `RESOURCE_SCOPE_CLEANUP_FAILED` with an `AggregateError` cause.
 *
 * @example
 * ```ts
 * await using scope = new ResourceScope();
 * const dir = scope.guard(await mkdtemp(prefix), (d) => rm(d, { recursive: true }));
 * const file = scope.guard(await open(join(dir.get(), 'a'), 'w'), (h) => h.close());
 * ```
 */
export class ResourceScope implements AsyncDisposable {
  /** Names the scope in its errors. */
  readonly name: string;
  readonly #registry: ResourceRegistry;
  #members: AsyncResourceGuard<unknown>[] = [];
  #run: Promise<void> | undefined;

  /** @throws TypeError for an invalid option. */
  constructor(options: ScopeOptions = {}) {
    const { name, registry } = readKnownOptions('options', options, ['name', 'registry']);
    this.name = optional('name', name, expectString, 'scope');
    this.#registry = expectRegistry(registry, defaultRegistry);
  }

  /** Members not yet cleaned by this scope. */
  get size(): number {
    return this.#members.length;
  }

  /** True once `cleanup()` was called; the scope then refuses new members. */
  get isCleanedUp(): boolean {
    return this.#run !== undefined;
  }

  /**
   * Guards `resource` as a member of this scope (in the scope's registry unless `options.registry` says otherwise).
   * @throws ResourceStateError `RESOURCE_ALREADY_CLEANED_UP` when the scope was cleaned up (the caller keeps the resource).
   */
  guard<T>(resource: T, cleanup: CleanupFn<T>, options?: GuardOptions): AsyncResourceGuard<T> {
    this.#assertOpen();
    const member = new AsyncResourceGuard(resource, cleanup, this.#memberOptions(options, undefined));
    this.#members.push(member);
    return member;
  }

  /**
   * Adds a guard, or adopts anything with `Symbol.asyncDispose` / `Symbol.dispose`, and returns it unchanged.
   * @throws TypeError when `value` is neither; ResourceStateError `RESOURCE_ALREADY_CLEANED_UP` when the scope was cleaned up.
   */
  use<T extends AsyncResourceGuard<unknown> | AsyncDisposable | Disposable>(value: T, options?: Omit<GuardOptions, 'registry'>): T {
    this.#assertOpen();
    if (isResourceGuard(value)) this.#members.push(value);
    else this.#members.push(this.#registry.adopt(value, options));
    return value;
  }

  /**
   * Runs `fn` when the scope is cleaned up, in reverse order with the other members.
   * @throws TypeError when `fn` is not a function; ResourceStateError `RESOURCE_ALREADY_CLEANED_UP` when the scope was cleaned up.
   */
  defer(fn: () => unknown, options?: Omit<GuardOptions, 'registry'>): void {
    expectFunction('fn', fn);
    this.#assertOpen();
    this.#members.push(new AsyncResourceGuard(undefined, () => fn(), this.#memberOptions(options, 'deferred')));
  }

  /**
   * Cleans every member, newest first, one at a time; each member's failure is collected, never stops the
   * others. Idempotent: later calls share the first run.
   * @throws (rejects) CleanupError `RESOURCE_SCOPE_CLEANUP_FAILED` with an `AggregateError` of the members' errors as `cause`.
   */
  cleanup(): Promise<void> {
    this.#run ??= this.#cleanupMembers();
    return this.#run;
  }

  /** `await using scope = new ResourceScope()` calls `cleanup()` at scope exit. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.cleanup();
  }

  async #cleanupMembers(): Promise<void> {
    const members = this.#members;
    this.#members = [];
    const errors: Error[] = [];
    for (let i = members.length - 1; i >= 0; i -= 1) {
      try {
        await members[i]!.cleanup();
      } catch (error) {
        errors.push(toError(error));
      }
    }
    if (errors.length > 0) {
      throw new CleanupError(`${errors.length} of ${members.length} members of scope "${this.name}" failed to clean up`, {
        code: RESOURCE_SCOPE_CLEANUP_FAILED,
        cause: new AggregateError(errors, `Scope "${this.name}" cleanup failures`),
        context: { scope: this.name, failed: errors.length, total: members.length },
      });
    }
  }

  /** A member's options: the caller's bag (an object, read once), in this scope's registry unless it names one. */
  #memberOptions(options: GuardOptions | undefined, name: string | undefined): GuardOptions {
    if (options === undefined) return { registry: this.#registry, name };
    expectObject('options', options);
    let bag: GuardOptions;
    try {
      bag = { name, ...options };
    } catch (cause) {
      throw unreadable('options', cause);
    }
    bag.registry ??= this.#registry;
    return bag;
  }

  #assertOpen(): void {
    if (this.#run !== undefined) {
      throw new ResourceStateError(`Scope "${this.name}" was already cleaned up and takes no new members`, {
        code: RESOURCE_ALREADY_CLEANED_UP,
        context: { scope: this.name },
      });
    }
  }
}
