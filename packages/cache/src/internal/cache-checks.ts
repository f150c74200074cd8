import { describeValue, expectBoolean, expectFunction, expectTimerMs, optional, readKnownOptions } from '@patinox/errors';
import type { EvictionPolicyName, EvictionStrategy, PeekOptions } from '../options.js';
import { EVICTION_POLICIES } from '../policies/names.js';

/** A null-prototype dictionary for string key → slot, already in dictionary mode. */
export function createDict(): Record<string, number> {
  const dict = Object.create(null) as Record<string, number>;
  // Start in dictionary mode so the first deletes do not trigger a shape transition.
  dict.__init__ = 0;
  delete dict.__init__;
  return dict;
}

/** The key as error/event context when it is printable. */
export function keyContext(key: unknown): Record<string, unknown> {
  return typeof key === 'string' || typeof key === 'number' ? { key } : {};
}

// The sweep period is a timer: Node turns a delay over MAX_TIMER_MS into 1 ms, which would sweep non-stop.
export function expectSweepMs(name: string, value: unknown): number {
  return expectTimerMs(name, value, { allowZero: true });
}

export function validatePolicy(value: unknown): EvictionPolicyName | EvictionStrategy<never, never> {
  if (typeof value === 'string' && (EVICTION_POLICIES as readonly string[]).includes(value)) return value as EvictionPolicyName;
  if (typeof value === 'object' && value !== null) {
    const s = value as Record<string, unknown>;
    for (const method of ['shouldEvict', 'onAccess', 'onInsert', 'evictionPriority']) expectFunction(`evictionPolicy.${method}`, s[method]);
    return value as EvictionStrategy<never, never>;
  }
  throw new TypeError(
    `Expected \`evictionPolicy\` to be one of ${EVICTION_POLICIES.join(', ')} or an EvictionStrategy object, got ${describeValue(value)}`,
  );
}

export function expectArray(name: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`Expected \`${name}\` to be an array, got ${describeValue(value)}`);
  return value;
}

/**
 * Throws a TypeError for a value `set` refuses: `undefined` (the miss marker), or an object whose `then`
 * cannot be read (getOrLoad hands hits back through a promise, which reads `then`).
 */
export function checkStorable(value: unknown, name: string): void {
  if (value === undefined) throw new TypeError(`Expected \`${name}\` to be defined, got undefined: undefined marks a miss and cannot be stored`);
  if (typeof value === 'object' && value !== null && !thenReadable(value)) {
    throw new TypeError(`Expected \`${name}\` to be storable, got an object whose \`then\` cannot be read (a getter or Proxy trap threw)`);
  }
}

/** Reads `allowStale` from peek's options. */
export function readAllowStale(options: PeekOptions): boolean {
  return optional('allowStale', readKnownOptions('options', options, ['allowStale']).allowStale, expectBoolean, false);
}

/** False when reading `value.then` throws (a hostile getter or Proxy trap). */
export function thenReadable(value: object): boolean {
  try {
    void (value as { then?: unknown }).then;
    return true;
  } catch {
    return false;
  }
}
