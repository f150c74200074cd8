import { describeThrown, readOptions } from '@patinox/errors';

// Options bags are closed: a key the pool does not know is a typo (`maxsize`, `acquireTimeout`) that
// would otherwise be ignored in silence, leaving the default in force.

/**
 * {@link readOptions} that also refuses an own enumerable key not in `keys`, with a `TypeError` naming
 * the bag and the key, and the known key it most likely meant.
 */
export function readKnownOptions<K extends string>(name: string, value: unknown, keys: readonly K[]): { [P in K]?: unknown } {
  const bag = readOptions(name, value, keys);
  rejectUnknownKeys(name, value as object, keys);
  return bag;
}

/** Throws a `TypeError` for the first own enumerable key of `value` that is not in `keys`. */
export function rejectUnknownKeys(name: string, value: object, keys: readonly string[]): void {
  const unknown = firstKey(name, value, (key) => !keys.includes(key));
  if (unknown !== undefined) throw unknownKeyError(name, unknown, keys, closestKey(unknown, keys));
}

/**
 * For bags that also carry keys passed through to a third party (pg's connection settings): throws only
 * for a key that is not in `keys` but close to one of them (`Max`, `databse`, `idleTimeoutMs` for
 * `idleTimeoutMillis`), or one `elsewhere` knows a better place for, so settings the pool does not list
 * still pass.
 */
export function rejectNearMisses(name: string, value: object, keys: readonly string[], elsewhere: (key: string) => string | undefined): void {
  let suggestion: string | undefined;
  const unknown = firstKey(name, value, (key) => {
    if (keys.includes(key)) return false;
    suggestion = closestKey(key, keys) ?? elsewhere(key);
    return suggestion !== undefined;
  });
  if (unknown !== undefined) throw unknownKeyError(name, unknown, keys, suggestion);
}

function firstKey(name: string, value: object, match: (key: string) => boolean): string | undefined {
  try {
    // for-in over own keys: no array of keys per call (acquire options take this path).
    for (const key in value) {
      if (Object.hasOwn(value, key) && match(key)) return key;
    }
  } catch (cause) {
    throw new TypeError(`Expected \`${name}\` to be readable, but listing its keys threw: ${describeThrown(cause)}`, { cause });
  }
  return undefined;
}

function unknownKeyError(name: string, key: string, keys: readonly string[], suggestion: string | undefined): TypeError {
  const hint = suggestion === undefined ? `; known keys: ${keys.join(', ')}` : `; did you mean \`${suggestion}\`?`;
  return new TypeError(`Expected \`${name}\` to have only known keys, got unknown key \`${key}\`${hint}`);
}

// A unit spelled out or left off (`acquireTimeout`, `timeoutMillis` for `...Ms`) is the same name.
const UNIT = /(?:ms|millis|milliseconds)$/;

/**
 * The known key `key` most likely meant: the same name in another case or with another time unit, else
 * the nearest within a few edits (1 for names of up to 3 characters, 2 up to 8, 3 beyond); undefined when
 * none is that close.
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
