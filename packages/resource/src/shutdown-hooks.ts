import { constants } from 'node:os';
import { describeThrown, describeValue, expectBoolean, expectFunction, expectTimerMs, optional, readKnownOptions } from '@patinox/errors';
import type { ShutdownHookOptions } from './options.js';
import { defaultRegistry, type CleanupReport, type ResourceRegistry } from './registry.js';
import { expectRegistry } from './internal/validate.js';

const OPTION_KEYS = ['registry', 'signals', 'beforeExit', 'deadlineMs', 'exitAfterSignal', 'onReport'] as const;

/** True for a signal this platform has and a listener can be installed for (not SIGKILL or SIGSTOP). */
function isListenableSignal(value: unknown): boolean {
  return typeof value === 'string' && Object.hasOwn(constants.signals, value) && value !== 'SIGKILL' && value !== 'SIGSTOP';
}

/** Handle returned by {@link installShutdownHooks}. */
export interface ShutdownHooks extends Disposable {
  /** Removes every listener the hooks added; idempotent. A shutdown already started keeps running. */
  uninstall(): void;
  /** True until `uninstall()` ran (explicitly or after the hooks' shutdown finished). */
  readonly isInstalled: boolean;
  /** The report of the shutdown the hooks ran, once it finished. */
  readonly done: Promise<CleanupReport> | undefined;
}

// The reports already handed to an `onReport`, across every hooks installed (and both copies of this
// package): registry.shutdown() returns the first call's report to every later caller, and a hook that
// reaches a finished shutdown (a second set of hooks, a late beforeExit) must not report it again.
const REPORTED_KEY = Symbol.for('patinox.resource.reportedShutdowns');
const holder = globalThis as unknown as Record<symbol, WeakSet<CleanupReport> | undefined>;
const reported: WeakSet<CleanupReport> = (holder[REPORTED_KEY] ??= new WeakSet());

function defaultOnReport(report: CleanupReport, trigger: string): void {
  if (report.complete) return;
  const names = report.failures.map((f) => `${f.name} (${f.code})`).join(', ');
  process.stderr.write(`@patinox/resource: shutdown on ${trigger} could not clean ${report.failures.length} resource(s): ${names}\n`);
}

/**
 * Shuts the registry down on SIGTERM/SIGINT (then re-raises the signal so the process ends as it would
 * have) and on `beforeExit`. The hooks remove themselves once their shutdown finished, or on `uninstall()`.
 *
 * @example
 * ```ts
 * const hooks = installShutdownHooks({ deadlineMs: 5000 });
 * // later, e.g. in tests:
 * hooks.uninstall();
 * ```
 * @throws TypeError / RangeError for an invalid option.
 */
export function installShutdownHooks(options: ShutdownHookOptions = {}): ShutdownHooks {
  const bag = readKnownOptions('options', options, OPTION_KEYS);
  const registry: ResourceRegistry = expectRegistry(bag.registry, defaultRegistry);
  const rawSignals: unknown = bag.signals ?? ['SIGTERM', 'SIGINT'];
  const expected = 'Expected `signals` to be an array of signal names that can be listened for';
  if (!Array.isArray(rawSignals)) throw new TypeError(`${expected}, got ${describeValue(rawSignals)}`);
  let list: unknown[];
  try {
    // Array.from visits holes (as undefined, refused below), which every() would skip.
    list = Array.from(rawSignals as unknown[]);
  } catch (cause) {
    throw new TypeError(`${expected}, but reading it threw: ${describeThrown(cause)}`, { cause });
  }
  // A name this platform lacks (a typo) would be a plain event that never fires; SIGKILL and SIGSTOP cannot be caught.
  const bad = list.find((signal) => !isListenableSignal(signal));
  if (bad !== undefined || list.includes(undefined)) throw new TypeError(`${expected}, got ${describeValue(bad)} in it`);
  // Each once: a listener added twice under one Map key would survive uninstall().
  const signals = [...new Set(list)] as readonly NodeJS.Signals[];
  const onBeforeExit = optional('beforeExit', bag.beforeExit, expectBoolean, true);
  const deadlineMs = optional('deadlineMs', bag.deadlineMs, expectTimerMs, 10_000);
  const exitAfterSignal = optional('exitAfterSignal', bag.exitAfterSignal, expectBoolean, true);
  const onReport = optional<(report: CleanupReport, trigger: string) => void>('onReport', bag.onReport, expectFunction, defaultOnReport);

  let installed = true;
  let done: Promise<CleanupReport> | undefined;
  let signalled = false;
  const listeners = new Map<string, (...args: unknown[]) => void>();

  const uninstall = (): void => {
    if (!installed) return;
    installed = false;
    for (const [event, listener] of listeners) process.removeListener(event, listener);
    listeners.clear();
  };

  const reraise = (signal: NodeJS.Signals): void => {
    uninstall();
    if (exitAfterSignal && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  const run = (trigger: string): Promise<CleanupReport> => {
    done = registry.shutdown({ deadlineMs }).then((report) => {
      if (reported.has(report)) return report;
      reported.add(report);
      try {
        onReport(report, trigger);
      } catch (error) {
        // The report callback is the caller's; its failure must not turn into an unhandled rejection.
        process.stderr.write(`@patinox/resource: onReport threw: ${describeThrown(error)}\n`);
      }
      return report;
    });
    return done;
  };

  for (const signal of signals) {
    const listener = (): void => {
      if (signalled) {
        // A second signal while shutting down: stop waiting.
        reraise(signal);
        return;
      }
      signalled = true;
      // A shutdown already started by beforeExit is joined, not restarted.
      void (done ?? run(signal)).then(() => reraise(signal));
    };
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
  if (onBeforeExit) {
    const listener = (): void => {
      if (done !== undefined) return;
      // The shutdown's deadline timer keeps the loop alive until the report is in; then, with the hooks
      // removed, the next beforeExit lets the process end normally.
      void run('beforeExit').then(uninstall);
    };
    listeners.set('beforeExit', listener);
    process.on('beforeExit', listener);
  }

  return {
    uninstall,
    get isInstalled() {
      return installed;
    },
    get done() {
      return done;
    },
    [Symbol.dispose]: uninstall,
  };
}
