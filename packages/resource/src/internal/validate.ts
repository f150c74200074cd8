import { describeThrown, describeValue, expectNonNegativeInteger, expectObject, expectString, expectTimerMs, rejectUnknownKeys } from '@patinox/errors';
import { CleanupPriority } from '../priority.js';
import type { ResourceRegistry } from '../registry.js';
import type { EntryInfo } from './entry.js';
import { TRACK } from './protocol.js';

const PRIORITIES: readonly number[] = Object.values(CleanupPriority);

/** The fields of `RegistryOptions`, read once by the registry's constructor. */
export const REGISTRY_OPTION_KEYS = [
  'name',
  'monitor',
  'tracer',
  'resourceEvents',
  'trackStacks',
  'trackLeaks',
  'concurrency',
  'timeoutMs',
  'maxRetries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
] as const;
/** The fields of `GuardOptions`, checked in place (for-in, no allocation) on every guard's creation. */
const GUARD_OPTION_KEYS = ['name', 'priority', 'sizeBytes', 'metadata', 'timeoutMs', 'registry'] as const;

/** The one field of `CleanupAllOptions` and `ShutdownOptions`. */
export const DEADLINE_KEYS = ['deadlineMs'] as const;

/** The TypeError for an options bag that throws when read (a getter that throws, a hostile Proxy). */
export function unreadable(name: string, cause: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be readable, but reading it threw: ${describeThrown(cause)}`, { cause });
}

/** True for a registry of any copy of this package; never throws, whatever `value` is (a hostile Proxy). */
export function isRegistry(value: unknown): value is ResourceRegistry {
  try {
    return typeof (value as Partial<ResourceRegistry>)[TRACK] === 'function';
  } catch {
    return false;
  }
}

/** `value` as a registry, `defaultRegistry` when undefined; a TypeError for anything else. */
export function expectRegistry(value: unknown, defaultRegistry: () => ResourceRegistry): ResourceRegistry {
  if (value === undefined) return defaultRegistry();
  if (!isRegistry(value)) throw new TypeError(`Expected \`registry\` to be a ResourceRegistry, got ${describeValue(value)}`);
  return value;
}

export function expectPriority(name: string, value: unknown): number {
  if (!PRIORITIES.includes(value as number)) {
    throw new TypeError(`Expected \`${name}\` to be a CleanupPriority (0, 1, 2 or 3), got ${describeValue(value)}`);
  }
  return value as number;
}

// activeBytes adds and subtracts these: past 2^53 a sum is rounded, and the gauge drifts (even negative)
// once such a resource is gone.
function expectSizeBytes(value: unknown): number {
  const size = expectNonNegativeInteger('sizeBytes', value);
  if (size > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`Expected \`sizeBytes\` to be a non-negative safe integer (at most ${Number.MAX_SAFE_INTEGER}), got ${describeValue(value)}`);
  }
  return size;
}

interface InfoOptions {
  name?: unknown;
  priority?: unknown;
  sizeBytes?: unknown;
  metadata?: unknown;
  timeoutMs?: unknown;
}

/**
 * Validates guard options into a registry's immutable infos. Resources created without options share the
 * registry's default info, and options equal to the previous call's (the usual case: one call site
 * creating many guards) share its info, so a tracked resource costs no info allocation of its own.
 */
export class InfoFactory {
  readonly #default: EntryInfo;
  #last: EntryInfo;

  constructor() {
    this.#default = Object.freeze({ name: undefined, priority: 1, sizeBytes: 0, metadata: undefined, timeoutMs: 0, stack: undefined });
    this.#last = this.#default;
  }

  /** `stack` is set when the registry tracks stacks; such infos are never shared. */
  make(options: InfoOptions | undefined, stack: { stack?: string } | undefined): EntryInfo {
    if (options === undefined) return stack === undefined ? this.#default : { ...this.#default, stack };
    expectObject('options', options);
    rejectUnknownKeys('options', options, GUARD_OPTION_KEYS);
    let name, priority, sizeBytes, metadata, timeoutMs;
    try {
      ({ name, priority, sizeBytes, metadata, timeoutMs } = options);
    } catch (cause) {
      throw unreadable('options', cause);
    }
    if (stack === undefined) {
      if (name === undefined && priority === undefined && sizeBytes === undefined && metadata === undefined && timeoutMs === undefined) {
        return this.#default;
      }
      const last = this.#last;
      if (
        name === last.name &&
        priority === last.priority &&
        (sizeBytes ?? 0) === last.sizeBytes &&
        metadata === last.metadata &&
        (timeoutMs ?? 0) === last.timeoutMs &&
        last.stack === undefined
      ) {
        return last;
      }
    }
    const info: EntryInfo = {
      name: name === undefined ? undefined : expectString('name', name),
      priority: priority === undefined ? this.#default.priority : expectPriority('priority', priority),
      sizeBytes: sizeBytes === undefined ? 0 : expectSizeBytes(sizeBytes),
      metadata: metadata === undefined ? undefined : expectObject<Readonly<Record<string, unknown>>>('metadata', metadata),
      timeoutMs: timeoutMs === undefined ? 0 : expectTimerMs('timeoutMs', timeoutMs),
      stack,
    };
    if (stack === undefined) this.#last = info;
    return info;
  }
}
