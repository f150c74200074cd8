import type { AsyncResourceGuard, CleanupFn } from '../guard.js';
import type { GuardOptions } from '../options.js';
import type { ResourceRegistry } from '../registry.js';

type GuardFactory = (registry: ResourceRegistry, resource: unknown, cleanup: CleanupFn<unknown>, options: GuardOptions | undefined) => AsyncResourceGuard<unknown>;

// Breaks the runtime circle between the guard and the registry: a guard needs the registry (the default
// one, and its slots), while `registry.guard()` only needs some way to make a guard. guard.ts imports the
// registry and hands its constructor in here when it loads; the registry imports only this file.
let factory: GuardFactory | undefined;

/** Called once by guard.ts when it loads. */
export function provideGuardFactory(make: GuardFactory): void {
  factory = make;
}

/** Makes a guard tracked by `registry` for `registry.guard()`; `options` is read in place, its `registry` field never. */
export function makeGuard<T>(registry: ResourceRegistry, resource: T, cleanup: CleanupFn<T>, options: GuardOptions | undefined): AsyncResourceGuard<T> {
  if (factory === undefined) {
    // Only reachable when a bundler dropped guard.js although registry.guard() is called.
    throw new Error('@patinox/resource: guard.js is not loaded; import the package entry point rather than a subset of its files');
  }
  return factory(registry, resource, cleanup as CleanupFn<unknown>, options) as AsyncResourceGuard<T>;
}
