import { hostileValues } from './hostile.js';

const VALUES = hostileValues();

/**
 * Stands for one of {@link hostileValues} inside a property test's generated data. fast-check inspects
 * what it generates (to clone, compare and print it), which a Proxy whose traps throw would not survive;
 * generate refs (`fc.nat(HOSTILE_COUNT - 1).map((i) => new HostileRef(i))`) and turn them into the real
 * values with {@link resolveHostile} only when the call under test is made.
 */
export class HostileRef {
  constructor(readonly index: number) {}

  toString(): string {
    return VALUES[this.index]!.label;
  }
}

/** How many values {@link hostileValues} returns: refs range over 0 … `HOSTILE_COUNT` − 1. */
export const HOSTILE_COUNT = VALUES.length;

/**
 * The value a {@link HostileRef} stands for; in a plain object (an options bag, a record), each field's
 * ref is resolved and `undefined` fields are left out. Anything else is returned as is.
 */
export function resolveHostile(x: unknown): unknown {
  if (x instanceof HostileRef) return VALUES[x.index]!.value;
  if (isPlainObject(x)) {
    return Object.fromEntries(
      Object.entries(x)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, v instanceof HostileRef ? VALUES[v.index]!.value : v]),
    );
  }
  return x;
}

// fast-check's records may have a null prototype.
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}
