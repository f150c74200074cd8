import { describeThrown } from './describe.js';

// Options bags are closed: a key a package does not know is a typo (`maxsize`, `acquireTimeout`) that
// would otherwise be ignored in silence, leaving the default in force.

/**
 * Throws a `TypeError` for the first own enumerable string key of `value` that is not in `keys`, naming
 * the bag, the key and the closest known key (or every known key when none is close). Allocates nothing
 * when every key is known, so hot per-call options (a cache `set`, a pool `acquire`) can take it.
 *
 * @throws TypeError naming `name` when a key is unknown, or when listing the keys throws (a hostile Proxy).
 */
export function rejectUnknownKeys(name: string, value: object, keys: readonly string[]): void {
  let unknown: string | undefined;
  try {
    // for-in over own keys: no array of keys per call (per-call options of hot paths take this path).
    for (const key in value) {
      if (Object.hasOwn(value, key) && !keys.includes(key)) {
        unknown = key;
        break;
      }
    }
  } catch (cause) {
    throw unreadable(name, cause);
  }
  if (unknown !== undefined) throw unknownKeyError(name, unknown, keys, closestKey(unknown, keys));
}

/**
 * For bags that also carry keys passed through to a third party (pg's connection settings): throws only
 * for a key that is not in `keys` but close to one of them (`Max`, `databse`, `idleTimeoutMs` for
 * `idleTimeoutMillis`), or one `elsewhere` knows a better place for, so settings the package does not
 * list still pass.
 *
 * @throws TypeError naming `name`, the key and the suggestion.
 */
export function rejectNearMisses(name: string, value: object, keys: readonly string[], elsewhere: (key: string) => string | undefined = () => undefined): void {
  let unknown: string | undefined;
  let suggestion: string | undefined;
  try {
    for (const key in value) {
      if (!Object.hasOwn(value, key) || keys.includes(key)) continue;
      suggestion = closestKey(key, keys) ?? elsewhere(key);
      if (suggestion !== undefined) {
        unknown = key;
        break;
      }
    }
  } catch (cause) {
    throw unreadable(name, cause);
  }
  if (unknown !== undefined) throw unknownKeyError(name, unknown, keys, suggestion);
}

function unreadable(name: string, cause: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be readable, but listing its keys threw: ${describeThrown(cause)}`, { cause });
}

function unknownKeyError(name: string, key: string, keys: readonly string[], suggestion: string | undefined): TypeError {
  const hint = suggestion === undefined ? `; known keys: ${keys.join(', ')}` : `; did you mean \`${suggestion}\`?`;
  return new TypeError(`Expected \`${name}\` to have only known keys, got unknown key \`${key}\`${hint}`);
}

// A unit spelled out or left off (`acquireTimeout`, `timeoutMillis` for `...Ms`) is the same name.
const UNIT = /(?:ms|millis|milliseconds)$/;

/**
 * The known key `key` most likely meant: the same name in another case or with another time unit, else
 * the nearest within a few edits (1 for names of up to 3 characters, 2 up to 8, 3 beyond); `undefined`
 * when none is that close.
 *
 * @example
 * ```ts
 * closestKey('maxEntrys', ['maxEntries', 'ttlMs']); // 'maxEntries'
 * ```
 */
export function closestKey(key: string, keys: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const bare = lower.replace(UNIT, '');
  let best: string | undefined;
  let bestDistance = key.length <= 3 ? 2 : key.length <= 8 ? 3 : 4;
  for (const known of keys) {
    const knownLower = known.toLowerCase();
    if (knownLower === lower || knownLower.replace(UNIT, '') === bare) return known;
    const distance = editDistance(lower, knownLower, bestDistance);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (insert, delete, substitute, swap two neighbours), or `limit` once it is reached. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin >= limit) return limit;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length]!, limit);
}
