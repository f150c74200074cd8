import type { Monitor, TraceHook } from '@patinox/monitor';
import type { CleanupPriority } from './priority.js';
import type { CleanupReport, ResourceRegistry } from './registry.js';

/** Options of {@link guard}, `new AsyncResourceGuard`, `registry.guard` and `adopt`. Read once, at creation. */
export interface GuardOptions {
  /** Name shown by `list()`, in events and in shutdown reports. @default the resource's constructor name */
  name?: string;
  /** Where this cleanup runs in the registry's queue (leaks, `forceCleanupAll`, `shutdown`). @default CleanupPriority.Normal */
  priority?: CleanupPriority;
  /** Bytes the resource holds, added to the registry's `activeBytes` while it is live; at most `Number.MAX_SAFE_INTEGER`. @default 0 (bytes) */
  sizeBytes?: number;
  /** Free-form facts reported by `list()`; kept by reference. @default undefined */
  metadata?: Readonly<Record<string, unknown>>;
  /** Time one cleanup attempt may take before it fails with `RESOURCE_CLEANUP_TIMEOUT`. @default the registry's `timeoutMs` (ms) */
  timeoutMs?: number;
  /** Registry that tracks the resource. @default defaultRegistry() */
  registry?: ResourceRegistry;
}

/** Options of `new ResourceRegistry(options)`. */
export interface RegistryOptions {
  /** Names the registry in events (`source`) and metric labels. @default 'default' */
  name?: string;
  /** Receives lifecycle events (created, cleaned, failed, leaked, retry, shutdown). @default noopMonitor */
  monitor?: Monitor;
  /** Cleanups the queue runs at once (leaks, `forceCleanupAll`, `shutdown`). @default 16 */
  concurrency?: number;
  /** Default time one cleanup attempt may take; at most 2147483647. @default 5000 (ms) */
  timeoutMs?: number;
  /** Extra attempts for a cleanup that fails with a `recovery: 'retry'` Patinox error. @default 2 */
  maxRetries?: number;
  /** Base of the exponential backoff (full jitter) between retries. @default 50 (ms) */
  retryBaseDelayMs?: number;
  /** Ceiling of one backoff delay. @default 1000 (ms) */
  retryMaxDelayMs?: number;
  /** Detect guards collected without cleanup (a `FinalizationRegistry`) and clean them anyway. @default true */
  trackLeaks?: boolean;
  /** Capture the creation stack of every guard, reported with `resource.leaked`; costs a few µs per guard. @default false */
  trackStacks?: boolean;
  /** Emit `resource.created` / `resource.cleaned` per resource (failures, leaks and shutdown are always emitted). @default true */
  resourceEvents?: boolean;
  /**
   * Records a `resource.shutdown` span around `shutdown()` (attributes `resource.registry`, `resource.active`,
   * then `resource.cleaned`, `resource.failed`, `resource.complete`) with a child `resource.cleanup` span per
   * cleanup it runs or waits for (`resource.name`, `resource.priority`, `resource.outcome`; failed when the
   * cleanup failed). Guards, `cleanup()` and leaks are never traced. @default undefined (no tracing)
   */
  tracer?: TraceHook;
}

/** Options of `registry.forceCleanupAll()`. */
export interface CleanupAllOptions {
  /** Stop waiting after this long and report what is unfinished (cleanups keep running). @default undefined (wait for all; each is bounded by its timeout and retries) (ms) */
  deadlineMs?: number;
}

/** Options of `registry.shutdown()`. */
export interface ShutdownOptions {
  /** Stop waiting after this long and report what is unfinished (cleanups keep running). @default 10000 (ms) */
  deadlineMs?: number;
}

/** Options of {@link installShutdownHooks}. */
export interface ShutdownHookOptions {
  /** Registry to shut down. @default defaultRegistry() */
  registry?: ResourceRegistry;
  /** Signals that trigger a shutdown: names this platform has (`os.constants.signals`), not SIGKILL or SIGSTOP, which cannot be caught. @default ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[];
  /** Also shut down on `process` `beforeExit` (the event loop ran dry). @default true */
  beforeExit?: boolean;
  /** Passed to `registry.shutdown()`. @default 10000 (ms) */
  deadlineMs?: number;
  /**
   * After a signal's shutdown, re-raise the signal so the process ends as it would have without the hook,
   * unless another listener for it remains (then that listener decides). A second signal re-raises at once.
   * @default true
   */
  exitAfterSignal?: boolean;
  /**
   * Receives the report and what triggered it (`'SIGTERM'`, `'beforeExit'`), once per shutdown: a shutdown
   * already reported (by other hooks on the same registry, or before a late `beforeExit`) is not reported again.
   * @default writes a line to stderr when something could not be cleaned
   */
  onReport?: (report: CleanupReport, trigger: string) => void;
}

/** Options of `new ResourceScope(options)`. */
export interface ScopeOptions {
  /** Names the scope in its `RESOURCE_SCOPE_CLEANUP_FAILED` error. @default 'scope' */
  name?: string;
  /** Registry that tracks the scope's members. @default defaultRegistry() */
  registry?: ResourceRegistry;
}
