import { settleWithin } from '@patinox/errors';
import type { TraceHook, TraceSpan } from '@patinox/monitor';
import { CleanupError, RESOURCE_CLEANUP_DEADLINE_EXCEEDED, type CleanupErrorCode } from '../errors.js';
import { quiet, slotName, type CleanupRunner } from './cleanup-runner.js';
import { CLEANED, TAKEN, type Final, type Page } from './entry.js';
import type { SlotPages } from './slot-pages.js';

/** One resource that `forceCleanupAll()` or `shutdown()` could not clean. */
export interface CleanupFailure {
  readonly id: number;
  readonly name: string;
  readonly code: CleanupErrorCode;
  /** The error's message, for logs. */
  readonly reason: string;
  readonly error: CleanupError;
}

/** Result of `forceCleanupAll()` and `shutdown()`. */
export interface CleanupReport {
  /** Resources of this run that ended cleaned (by this run or concurrently by their owner). */
  readonly cleaned: number;
  /** Resources of this run handed back by `intoInner()` before their turn. */
  readonly handedBack: number;
  /** What could not be cleaned, with names and reasons; empty when `complete`. */
  readonly failures: readonly CleanupFailure[];
  readonly complete: boolean;
  readonly durationMs: number;
}


/** A resource that a run waits for, with what its report needs should the resource be gone by then. */
interface Target {
  readonly page: Page;
  readonly i: number;
  readonly id: number;
  readonly name: string;
  readonly priority: number;
}

/** What a run learns about its targets: their final state by id (0 while unfinished). */
type Collector = Map<number, Final | 0>;

/**
 * A `resource.cleanup` span around one target, from queued to settled: attributes `resource.name`,
 * `resource.priority` and `resource.outcome` (`cleaned`, `handed-back`, `failed`, or `late` when it
 * settled after the report's deadline); a failed cleanup fails the span with its error. Never rejects.
 */
function traceCleanup(tracer: TraceHook, target: Target, collector: Collector, wait: () => Promise<unknown>): Promise<unknown> {
  const attributes = { 'resource.name': target.name, 'resource.priority': target.priority };
  return tracer
    .span('resource.cleanup', attributes, (span: TraceSpan) =>
      wait().then(() => {
        const final = collector.get(target.id);
        span.setAttribute('resource.outcome', final === CLEANED ? 'cleaned' : final === TAKEN ? 'handed-back' : typeof final === 'object' ? 'failed' : 'late');
        if (typeof final === 'object') throw final;
      }),
    )
    .catch(() => undefined);
}

/**
 * `forceCleanupAll()` and `shutdown()`: queues every live resource's cleanup (Critical first, newest
 * first within a priority), waits for them or the deadline, and reports by name what did not end
 * cleaned. Each running report learns the final state of its targets as the registry releases them.
 */
export class CleanupReports {
  #collectors: Collector[] = [];

  /** True while a report is running (the registry then tells it about every release). */
  get watching(): boolean {
    return this.#collectors.length !== 0;
  }

  /** A slot with this id was released with `final`. */
  record(id: number, final: Final): void {
    for (const collector of this.#collectors) if (collector.has(id)) collector.set(id, final);
  }

  /** With a `tracer`, each cleanup gets a `resource.cleanup` span, started (so parented) where run() is called. */
  async run(slots: SlotPages, runner: CleanupRunner, deadlineMs: number | undefined, tracer?: TraceHook): Promise<CleanupReport> {
    const started = performance.now();
    const targets: Target[] = [];
    const queued: Target[] = [];
    const waits: Promise<unknown>[] = [];
    const collector: Collector = new Map();
    for (const page of slots.pages) {
      if (page === undefined) continue;
      for (let i = 0; i < page.bump; i += 1) {
        const fn = page.fns[i];
        if (fn === undefined) continue;
        const target: Target = { page, i, id: page.ids[i]!, name: slotName(page, i), priority: page.infos[i]!.priority };
        targets.push(target);
        collector.set(target.id, 0);
        if (typeof fn === 'function') queued.push(target);
        else if (fn instanceof Promise) waits.push(tracer === undefined ? quiet(fn) : traceCleanup(tracer, target, collector, () => quiet(fn)));
        // RUNNING: a synchronous cleanup that called us; it ends before we next look.
      }
    }
    this.#collectors.push(collector);
    try {
      queued.sort((a, b) => b.priority - a.priority || b.id - a.id);
      for (const t of queued) {
        const enqueue = (): Promise<unknown> => runner.enqueue(t.page, t.i, t.id, t.priority);
        waits.push(tracer === undefined ? enqueue() : traceCleanup(tracer, t, collector, enqueue));
      }
      // Each wait reports its own failure and never rejects.
      const all = Promise.all(waits);
      if (deadlineMs === undefined) await all;
      else await settleWithin(all, deadlineMs);
    } finally {
      this.#collectors.splice(this.#collectors.indexOf(collector), 1);
    }
    let cleaned = 0;
    let handedBack = 0;
    const failures: CleanupFailure[] = [];
    for (const target of targets) {
      const final = collector.get(target.id);
      if (final === CLEANED) cleaned += 1;
      else if (final === TAKEN) handedBack += 1;
      else {
        const error =
          typeof final === 'object'
            ? final
            : new CleanupError(`Cleanup of "${target.name}" did not finish within the ${deadlineMs} ms deadline`, {
                code: RESOURCE_CLEANUP_DEADLINE_EXCEEDED,
                context: { id: target.id, name: target.name, deadlineMs },
              });
        const name = typeof error.context.name === 'string' ? error.context.name : target.name;
        failures.push({ id: target.id, name, code: error.code, reason: error.message, error });
      }
    }
    return { cleaned, handedBack, failures, complete: failures.length === 0, durationMs: performance.now() - started };
  }
}
