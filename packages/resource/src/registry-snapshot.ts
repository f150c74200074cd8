import type { HistogramSummary } from '@patinox/monitor';
import { slotName } from './internal/cleanup-runner.js';
import { EPOCH, typeName } from './internal/entry.js';
import type { SlotPages } from './internal/slot-pages.js';
import type { CleanupPriority } from './priority.js';

// What a registry reports about itself: its live resources (`list()`) and its counters (`stats()`).

/** What `list()` reports for one live resource. */
export interface ResourceInfo {
  /** Registry-unique, increasing id. */
  readonly id: number;
  /** `options.name`, or the type name. */
  readonly name: string;
  /** The resource's constructor name (or `typeof`). */
  readonly typeName: string;
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
  readonly sizeBytes: number;
  readonly priority: CleanupPriority;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** `cleaning` while its cleanup runs (it stays listed until the cleanup settles). */
  readonly state: 'active' | 'cleaning';
  /** Creation stack, when the registry tracks stacks. */
  readonly stack?: string;
}

/** Counters of a registry since it was created; see `stats()`. */
export interface RegistryStats {
  /** Live resources, including those whose cleanup is running. */
  readonly active: number;
  /** Sum of `sizeBytes` of live resources. */
  readonly activeBytes: number;
  readonly created: number;
  /** Cleanups that succeeded. */
  readonly cleaned: number;
  /** Cleanups that failed for good (timeouts included). */
  readonly failed: number;
  /** Of `failed`, those that timed out. */
  readonly timedOut: number;
  /** Guards collected without cleanup (their resources were then cleaned by the queue). */
  readonly leaked: number;
  /** Retry attempts made. */
  readonly retried: number;
  /** Resources handed back by `intoInner()`. */
  readonly handedBack: number;
  /** Cleanups waiting in or running from the queue. */
  readonly queued: number;
  readonly isShuttingDown: boolean;
  /**
   * Duration of finished cleanups (retries included), ms, sampled: 1 cleanup in 16 is timed, because a
   * clock read can cost as much as the rest of a round trip. `count` is therefore about `(cleaned + failed) / 16`.
   */
  readonly cleanupDurationMs: HistogramSummary;
}

/** @internal Every live resource in `slots`, oldest first (`ResourceRegistry.list()`). */
export function listResources(slots: SlotPages): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const page of slots.pages) {
    if (page === undefined) continue;
    for (let i = 0; i < page.bump; i += 1) {
      const fn = page.fns[i];
      if (fn === undefined) continue;
      const info = page.infos[i]!;
      const item: ResourceInfo = {
        id: page.ids[i]!,
        name: slotName(page, i),
        typeName: typeName(page.resources[i]),
        createdAt: EPOCH + page.created[i]!,
        sizeBytes: info.sizeBytes,
        priority: info.priority as CleanupPriority,
        metadata: info.metadata,
        state: typeof fn === 'function' ? 'active' : 'cleaning',
      };
      if (info.stack?.stack !== undefined) (item as { stack?: string }).stack = info.stack.stack;
      out.push(item);
    }
  }
  // Slots are reused, so slot order is not creation order; ids are.
  return out.sort((a, b) => a.id - b.id);
}
