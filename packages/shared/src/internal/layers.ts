import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeValue } from '@patinox/errors';

// The parts of LayeredConfig that do not hold state: reading a layer (a file, environment variables),
// and merging layers in order while recording, for every path, which layer set it.

/** Where one value of a layered configuration came from. */
export interface ValueSource {
  /** The layer's name (`'defaults'`, `'file'`, `'env'`, `'override'`, or yours). */
  readonly layer: string;
  readonly kind: 'values' | 'file' | 'env' | 'override';
  /** The absolute file path, or the environment variable's name; absent for in-code values. */
  readonly source?: string;
  readonly value: unknown;
}

/** A layer read and ready to merge. */
export interface ResolvedLayer {
  readonly name: string;
  readonly kind: ValueSource['kind'];
  readonly values: Record<string, unknown>;
  /** The file of a file layer. */
  readonly file?: string;
  /** The variable behind each path of an env layer. */
  readonly vars?: ReadonlyMap<string, string>;
}

/**
 * The dotted path of the first own `__proto__` key in `value` (through plain objects and arrays), or
 * `undefined`. JSON.parse makes such keys as plain data; merged or set by assignment they would replace a
 * configuration object's prototype, or, walked into, reach Object.prototype itself.
 */
export function findProtoKey(value: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [at, path] = stack.pop()!;
    if (typeof at !== 'object' || at === null || seen.has(at)) continue;
    seen.add(at);
    if (!Array.isArray(at) && !isPlainObject(at)) continue;
    for (const key of Object.keys(at)) {
      const next = path === '' ? key : `${path}.${key}`;
      if (key === '__proto__') return next;
      stack.push([(at as Record<string, unknown>)[key], next]);
    }
  }
  return undefined;
}

/** True when a dot-separated path names `__proto__` in one of its segments. */
export function hasProtoSegment(path: string): boolean {
  return path.split('.').includes('__proto__');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Any realm's Object.prototype (structuredClone and vm contexts hand out objects of other realms).
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}

/** Reads a file layer; `undefined` when it is optional and missing. Throws what reading or parsing threw. */
export function readFileLayer(path: string, optional: boolean, parse: (text: string) => unknown): { values: Record<string, unknown>; file: string } | undefined {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const values = parse(text);
  if (!isPlainObject(values)) throw new TypeError(`${file} does not hold an object, got ${describeValue(values)}`);
  const proto = findProtoKey(values);
  if (proto !== undefined) throw new TypeError(`${file} has a \`__proto__\` key (at ${proto}), which cannot be a configuration field`);
  return { values, file };
}

/**
 * Turns environment variables into a layer. With `prefix`, `PREFIX_POOL__MAX_SIZE` names `pool.maxSize`
 * (segments split on `separator`, matched against the keys below it ignoring case and underscores);
 * `vars` maps paths to variable names explicitly. Each value is coerced to the type the same path has
 * below this layer (number, boolean, JSON for objects and arrays, else the string). Problems are pushed
 * to `issues`, naming the variable.
 */
export function readEnvLayer(
  env: Readonly<Record<string, string | undefined>>,
  below: unknown,
  options: { prefix: string | undefined; separator: string; vars: Readonly<Record<string, string>> },
  issues: string[],
): { values: Record<string, unknown>; vars: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const vars = new Map<string, string>();
  const apply = (path: string[], name: string, raw: string): void => {
    const current = getPath(below, path);
    const coerced = coerce(raw, current, name, issues);
    if (coerced === INVALID) return;
    setPath(values, path, coerced);
    vars.set(path.join('.'), name);
  };
  for (const [path, name] of Object.entries(options.vars)) {
    const raw = env[name];
    if (raw !== undefined) apply(path.split('.'), name, raw);
  }
  if (options.prefix !== undefined) {
    for (const [name, raw] of Object.entries(env)) {
      if (raw === undefined || !name.startsWith(options.prefix) || Object.values(options.vars).includes(name)) continue;
      const path = matchPath(below, name.slice(options.prefix.length).split(options.separator));
      if (path === undefined) issues.push(`${name} does not name a configuration field`);
      else apply(path, name, raw);
    }
  }
  return { values, vars };
}

/** Merges layers in order (objects deeply, anything else replaced) and records each path's sources. */
export function mergeLayers(layers: readonly ResolvedLayer[]): { value: Record<string, unknown>; sources: Map<string, ValueSource[]> } {
  const sources = new Map<string, ValueSource[]>();
  let value: Record<string, unknown> = {};
  for (const layer of layers) value = mergeInto(value, layer.values, [], layer, sources);
  return { value, sources };
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>, path: string[], layer: ResolvedLayer, sources: Map<string, ValueSource[]>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, next] of Object.entries(patch)) {
    // Layers are checked for `__proto__` keys where they come in; assigning one here would swap `out`'s prototype.
    if (key === '__proto__') throw new TypeError(`A configuration layer cannot carry a \`__proto__\` key (at ${[...path, key].join('.')})`);
    const at = [...path, key];
    const dotted = at.join('.');
    const source = layer.kind === 'file' ? layer.file : layer.kind === 'env' ? layer.vars?.get(dotted) : undefined;
    const entry: ValueSource = source === undefined ? { layer: layer.name, kind: layer.kind, value: next } : { layer: layer.name, kind: layer.kind, source, value: next };
    const list = sources.get(dotted);
    if (list === undefined) sources.set(dotted, [entry]);
    else list.push(entry);
    const previous = out[key];
    out[key] = isPlainObject(next) && isPlainObject(previous) ? mergeInto(previous, next, at, layer, sources) : isPlainObject(next) ? mergeInto({}, next, at, layer, sources) : next;
  }
  return out;
}

export function getPath(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) {
    if (!isPlainObject(at) || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  // Callers refuse `__proto__` segments; this holds even if one slipped through: only own properties are
  // walked into (never a prototype), and `__proto__` is never assigned (its setter would swap the prototype).
  if (path.includes('__proto__')) throw new TypeError(`A configuration path cannot name \`__proto__\`, got ${JSON.stringify(path.join('.'))}`);
  let at = target;
  for (let i = 0; i < path.length - 1; i += 1) {
    const key = path[i]!;
    const next = Object.hasOwn(at, key) ? at[key] : undefined;
    if (!isPlainObject(next)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

const normalize = (segment: string): string => segment.replace(/_/g, '').toLowerCase();

function matchPath(below: unknown, segments: readonly string[]): string[] | undefined {
  const path: string[] = [];
  let at = below;
  for (const segment of segments) {
    if (!isPlainObject(at)) return undefined;
    const key = Object.keys(at).find((k) => normalize(k) === normalize(segment));
    if (key === undefined) return undefined;
    path.push(key);
    at = at[key];
  }
  return path.length === 0 ? undefined : path;
}

const INVALID = Symbol('invalid');

function coerce(raw: string, like: unknown, name: string, issues: string[]): unknown {
  if (typeof like === 'number') {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (Number.isFinite(n)) return n;
    issues.push(`${name} must be a number, got ${JSON.stringify(raw)}`);
    return INVALID;
  }
  if (typeof like === 'boolean') {
    const lower = raw.trim().toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    issues.push(`${name} must be true/false/1/0, got ${JSON.stringify(raw)}`);
    return INVALID;
  }
  if (typeof like === 'object' && like !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      issues.push(`${name} must be JSON, got ${JSON.stringify(raw)}`);
      return INVALID;
    }
    const proto = findProtoKey(parsed);
    if (proto === undefined) return parsed;
    issues.push(`${name} must be JSON without a __proto__ key, got one at ${proto}`);
    return INVALID;
  }
  return raw;
}
