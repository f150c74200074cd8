import { describeThrown, describeValue, expectObject } from '@patinox/errors';

/**
 * The one shape of an event name: lowercase words of letters and digits separated by dots, the first
 * naming the package (`pool.connection.created`, `cache.tiered.bus.publish.failed`). No dashes, no
 * underscores, no camelCase, so names sort, prefix-filter (`MemoryMonitor.events('pool.')`) and map onto
 * diagnostics channels the same way everywhere.
 */
export const EVENT_NAME_PATTERN = /^[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)+$/;

/** The union of the names in an events table made by {@link defineEvents}. */
export type EventName<T extends Readonly<Record<string, string>>> = T[keyof T];

/**
 * Declares a package's event names as one frozen `as const` table, checking each against
 * {@link EVENT_NAME_PATTERN} and the package prefix when the module loads, so a misnamed event fails
 * every test of its package instead of reaching a dashboard. Each package keeps its table in
 * `src/events.ts`, documents each name there, and emits only names from it.
 *
 * @throws TypeError when a name breaks the pattern, lacks the `<prefix>.` or appears twice.
 * @example
 * ```ts
 * export const POOL_EVENTS = defineEvents('pool', { closed: 'pool.closed', leakSuspected: 'pool.leak.suspected' } as const);
 * export type PoolEventName = EventName<typeof POOL_EVENTS>;
 * ```
 */
export function defineEvents<const T extends Readonly<Record<string, string>>>(prefix: string, events: T): Readonly<T> {
  if (typeof prefix !== 'string' || !/^[a-z][a-z0-9]*$/.test(prefix)) {
    throw new TypeError(`Expected \`prefix\` to be one lowercase word, got ${describeValue(prefix)}`);
  }
  const seen = new Set<string>();
  expectObject('events', events);
  if (Array.isArray(events)) throw new TypeError(`Expected \`events\` to be an object of event names, got ${describeValue(events)}`);
  // Read once: a getter (or Proxy trap) that throws is a TypeError naming the table, and one that would
  // answer differently the second time cannot slip an unchecked name into the frozen copy.
  let entries: [string, unknown][];
  try {
    entries = Object.entries(events);
  } catch (cause) {
    throw new TypeError(`Expected \`events\` to be readable, but reading it threw: ${describeThrown(cause)}`, { cause });
  }
  for (const [key, name] of entries) {
    if (typeof name !== 'string' || !EVENT_NAME_PATTERN.test(name) || !name.startsWith(`${prefix}.`)) {
      throw new TypeError(`Expected event \`${key}\` to be a dot.separated lowercase name starting with "${prefix}.", got ${describeValue(name)}`);
    }
    if (seen.has(name)) throw new TypeError(`Event name ${JSON.stringify(name)} is declared twice (at \`${key}\`)`);
    seen.add(name);
  }
  return Object.freeze(Object.fromEntries(entries)) as Readonly<T>;
}
