import { describeValue, expectFunction, expectString } from '@patinox/errors';

/** One gradual rollout: a flag (or a value) that applies to `percent` % of keys. */
export interface RolloutRule<V = unknown> {
  /** Share of keys in the rollout, 0–100 (fractions allowed, down to 0.01). Raising it only adds keys. */
  percent: number;
  /** Picks which keys are in; change it to draw a new population. @default the flag's name */
  salt?: string;
  /** Keys always in, whatever `percent` says (e.g. your test accounts). */
  include?: readonly string[];
  /** Keys never in (takes precedence over `include`). */
  exclude?: readonly string[];
  /** What {@link Rollout.valueFor} returns for a key in the rollout. */
  value?: V;
  /** What {@link Rollout.valueFor} returns for a key outside it. */
  otherwise?: V;
}

/** Anything that holds the current configuration: `ConfigData`, `ConfigReplica` (in a worker), `LayeredConfig`. */
export interface ConfigSource<C> {
  get(): C;
}

const BUCKETS = 10_000;

/**
 * The stable bucket (0–9999) of `key` under `salt`: FNV-1a over the UTF-16 code units of
 * `salt + ':' + key`, finished with murmur3's avalanche. The same in every thread, process and release,
 * so a key stays in or out of a rollout until its percentage or salt changes.
 */
export function rolloutBucket(key: string, salt: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < salt.length; i += 1) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x3a, 0x01000193);
  for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}

/** True when `key` is in `rule` (its salt defaulting to `name`). A malformed rule counts as 0 %. */
export function isInRollout(rule: RolloutRule | undefined, name: string, key: string): boolean {
  if (rule === undefined || rule === null || typeof rule !== 'object') return false;
  if (rule.exclude?.includes(key) === true) return false;
  if (rule.include?.includes(key) === true) return true;
  const percent = rule.percent;
  if (typeof percent !== 'number' || !(percent > 0)) return false;
  return rolloutBucket(key, typeof rule.salt === 'string' ? rule.salt : name) < Math.min(percent, 100) * (BUCKETS / 100);
}

/**
 * What is wrong with a set of rules, as messages for a `ConfigData` `validate` function, so a bad rollout
 * is refused with `SHARED_CONFIG_INVALID` before any worker sees it. `at` prefixes each message.
 */
export function rolloutIssues(rules: unknown, at = 'rollouts'): string[] {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) return [`${at} must be an object of rules, got ${describeValue(rules)}`];
  const issues: string[] = [];
  for (const [name, rule] of Object.entries(rules as Record<string, unknown>)) {
    const path = `${at}.${name}`;
    if (typeof rule !== 'object' || rule === null) {
      issues.push(`${path} must be a rule object, got ${describeValue(rule)}`);
      continue;
    }
    const { percent, salt, include, exclude } = rule as Record<string, unknown>;
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      issues.push(`${path}.percent must be a number from 0 to 100, got ${describeValue(percent)}`);
    }
    if (salt !== undefined && typeof salt !== 'string') issues.push(`${path}.salt must be a string, got ${describeValue(salt)}`);
    for (const [field, list] of [
      ['include', include],
      ['exclude', exclude],
    ] as const) {
      if (list !== undefined && (!Array.isArray(list) || !list.every((k) => typeof k === 'string'))) {
        issues.push(`${path}.${field} must be an array of strings, got ${describeValue(list)}`);
      }
    }
  }
  return issues;
}

/**
 * Gradual rollouts read from live configuration: `isEnabled('new-checkout', userId)` is true for the
 * rule's percentage of user ids, chosen by a stable hash. Rules are read from the source on every call,
 * so a `ConfigData.update` (or its arrival in a worker's `ConfigReplica`) changes every thread's answer
 * at once; nothing is cached. A flag with no rule is off.
 *
 * @example
 * ```ts
 * const config = new ConfigData({ rollouts: { 'new-checkout': { percent: 10 } } }, { validate: (c) => rolloutIssues(c.rollouts) });
 * const flags = new Rollout(config, (c) => c.rollouts);
 * if (flags.isEnabled('new-checkout', user.id)) newCheckout();
 * config.update({ rollouts: { 'new-checkout': { percent: 50 } } }); // the first 10 % stay in
 * ```
 */
export class Rollout<C> {
  readonly #source: ConfigSource<C>;
  readonly #select: (config: C) => Readonly<Record<string, RolloutRule | undefined>> | undefined;

  constructor(source: ConfigSource<C>, select: (config: C) => Readonly<Record<string, RolloutRule | undefined>> | undefined) {
    let get: unknown;
    try {
      get = typeof source === 'object' && source !== null ? (source as { get?: unknown }).get : undefined;
    } catch {
      // A getter or Proxy trap that throws: not a source anyone can read; refused below like any other.
    }
    if (typeof get !== 'function') {
      throw new TypeError(`Expected \`source\` to have a get() method (ConfigData, ConfigReplica, LayeredConfig), got ${describeValue(source)}`);
    }
    this.#source = source;
    this.#select = expectFunction('select', select);
  }

  /** The rule in force for `flag`, if any. */
  rule(flag: string): RolloutRule | undefined {
    expectString('flag', flag);
    const rules = this.#select(this.#source.get());
    return rules !== undefined && rules !== null && Object.hasOwn(rules, flag) ? rules[flag] : undefined;
  }

  /** True when `key` (a user id, a request id) is in `flag`'s rollout now. */
  isEnabled(flag: string, key: string): boolean {
    expectString('key', key);
    return isInRollout(this.rule(flag), flag, key);
  }

  /** The rule's `value` for a key in the rollout, its `otherwise` for one outside (or `fallback` when unset). */
  valueFor<V>(flag: string, key: string, fallback?: V): V | undefined {
    expectString('key', key);
    const rule = this.rule(flag) as RolloutRule<V> | undefined;
    if (isInRollout(rule, flag, key)) return rule?.value ?? fallback;
    return rule?.otherwise ?? fallback;
  }
}
