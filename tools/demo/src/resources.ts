import { ResourceRegistry, type AsyncResourceGuard, type CleanupFn, type CleanupReport, type GuardOptions } from '@patinox/resource';
import { CleanupLog } from './cleanup-log.js';

type Options = Omit<GuardOptions, 'registry'>;

/**
 * Everything the demo must release, in one `ResourceRegistry`. It also holds each guard: the registry
 * treats a guard that is garbage-collected while still active as leaked and cleans it at once (its
 * safety net), and the demo's resources must live until the run ends, not until the next GC.
 */
export class Resources {
  readonly log = new CleanupLog();
  readonly registry = new ResourceRegistry({ name: 'demo', monitor: this.log });
  readonly #held = new Set<AsyncResourceGuard<unknown>>();

  /** Registers `resource` with its `cleanup`; the guard can clean it earlier. */
  guard<T>(resource: T, cleanup: CleanupFn<T>, options: Options): AsyncResourceGuard<T> {
    const guard = this.registry.guard(resource, cleanup, options);
    this.#held.add(guard);
    return guard;
  }

  /** Registers anything disposable (a pool, a mapping, a cache, a config) and returns it. */
  adopt<T extends AsyncDisposable | Disposable>(disposable: T, options: Options): T {
    const guard = this.registry.adopt(disposable, options);
    this.#held.add(guard);
    return disposable;
  }

  /** How many resources are registered and not yet cleaned. */
  get active(): number {
    return this.registry.stats().active;
  }

  /** Cleans everything still registered (by priority, then newest first). */
  async shutdown(): Promise<CleanupReport> {
    const report = await this.registry.shutdown();
    this.#held.clear();
    return report;
  }
}
