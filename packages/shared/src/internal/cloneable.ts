import { describeThrown } from '@patinox/errors';

// Finds the first part of a value that structuredClone would reject or silently corrupt. structuredClone
// throws on functions and symbols, but copies a class instance as a plain object (losing its prototype
// and private fields), so a successful clone is not proof of a faithful one: walk instead.

const CLONEABLE_TAGS = new Set([
  '[object Date]',
  '[object RegExp]',
  '[object ArrayBuffer]',
  '[object SharedArrayBuffer]',
  '[object DataView]',
  '[object Boolean]',
  '[object Number]',
  '[object String]',
  '[object BigInt]',
  '[object Error]',
]);

/** A description of the first non-cloneable part, or `undefined` when the value clones faithfully. */
export interface CloneProblem {
  path: string;
  what: string;
}

export function findNonCloneable(value: unknown): CloneProblem | undefined {
  return walk(value, '$', new Set());
}

function walk(value: unknown, path: string, seen: Set<object>): CloneProblem | undefined {
  try {
    return walkValue(value, path, seen);
  } catch (error) {
    // A getter or a Proxy trap that throws (a revoked Proxy always does): structuredClone would throw too.
    return { path, what: `a value that throws when read (${describeThrown(error)})` };
  }
}

function walkValue(value: unknown, path: string, seen: Set<object>): CloneProblem | undefined {
  const type = typeof value;
  if (type === 'function') return { path, what: 'a function' };
  if (type === 'symbol') return { path, what: 'a symbol' };
  if (type !== 'object' || value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return undefined;
  seen.add(object);
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i += 1) {
      const problem = walk((object as unknown[])[i], `${path}[${i}]`, seen);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (ArrayBuffer.isView(object)) return undefined;
  const tag = Object.prototype.toString.call(object);
  // Tags, not instanceof: values may come from another realm (a vm context, structuredClone in jest).
  if (tag === '[object Map]') {
    let i = 0;
    for (const [k, v] of object as Map<unknown, unknown>) {
      const problem = walk(k, `${path}.<key ${i}>`, seen) ?? walk(v, `${path}.<value ${i}>`, seen);
      if (problem !== undefined) return problem;
      i += 1;
    }
    return undefined;
  }
  if (tag === '[object Set]') {
    let i = 0;
    for (const v of object as Set<unknown>) {
      const problem = walk(v, `${path}.<entry ${i}>`, seen);
      if (problem !== undefined) return problem;
      i += 1;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(object) as object | null;
  // A plain object's prototype is some realm's Object.prototype, whose own prototype is null.
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    if (CLONEABLE_TAGS.has(tag)) return undefined;
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return { path, what: `an instance of ${typeof name === 'string' && name !== '' ? name : 'a class'}` };
  }
  for (const key of Object.keys(object)) {
    const problem = walk((object as Record<string, unknown>)[key], `${path}.${key}`, seen);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Freezes `value` and everything reachable from it; typed arrays and buffers cannot be frozen and are skipped. */
export function deepFreeze<T>(value: T): T {
  freeze(value, new Set());
  return value;
}

function freeze(value: unknown, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null) return;
  const object: object = value;
  if (seen.has(object) || ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return;
  seen.add(object);
  if (object instanceof Map) {
    for (const [k, v] of object) {
      freeze(k, seen);
      freeze(v, seen);
    }
  } else if (object instanceof Set) {
    for (const v of object) freeze(v, seen);
  }
  if (typeof SharedArrayBuffer !== 'undefined' && object instanceof SharedArrayBuffer) return;
  Object.freeze(object);
  for (const key of Object.keys(object)) freeze((object as Record<string, unknown>)[key], seen);
}
