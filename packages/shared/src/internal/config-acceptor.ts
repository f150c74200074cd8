import { describeThrown, describeValue, expectBoolean, expectFunction, expectObject, expectPositiveInteger, optional } from '@patinox/errors';
import { ConfigInvalidError, NotCloneableError } from '../errors.js';
import type { ConfigDataOptions, ValidateResult } from '../options.js';
import { deepFreeze, findNonCloneable } from './cloneable.js';
import { expectName, optionalFunction } from './validate.js';

/**
 * What a candidate configuration of a `ConfigData` must pass before it is installed: migration from an
 * older `schemaVersion`, the plain-data check, the `validate` option, and freezing.
 */
export class ConfigAcceptor<T> {
  readonly #name: string;
  readonly #validate: ((config: T) => ValidateResult) | undefined;
  readonly #schemaVersion: number;
  readonly #migrations: Readonly<Record<number, (config: unknown) => unknown>>;
  readonly #versionKey: string;
  readonly #freeze: boolean;

  /** @throws TypeError / RangeError for a malformed option. */
  constructor(name: string, options: ConfigDataOptions<T>) {
    this.#name = name;
    this.#validate = optionalFunction<(config: T) => ValidateResult>('validate', options.validate);
    this.#schemaVersion = optional('schemaVersion', options.schemaVersion, expectPositiveInteger, 1);
    const migrations = options.migrations ?? {};
    expectObject('migrations', migrations, 'an object of functions');
    let steps: [string, unknown][];
    try {
      steps = Object.entries(migrations);
    } catch (cause) {
      throw new TypeError(`Expected \`migrations\` to be readable, but reading it threw: ${describeThrown(cause)}`, { cause });
    }
    for (const [from, step] of steps) expectFunction(`migrations[${from}]`, step);
    this.#migrations = Object.fromEntries(steps) as Record<number, (config: unknown) => unknown>;
    this.#versionKey = expectName(options.versionKey, 'schemaVersion');
    this.#freeze = optional('freeze', options.freeze, expectBoolean, true);
  }

  /**
   * Migrates, checks and validates `raw`, and freezes it unless `freeze: false`.
   * @throws {ConfigInvalidError} `SHARED_CONFIG_INVALID` when refused.
   * @throws {NotCloneableError} `SHARED_NOT_CLONEABLE` when it is not plain, cloneable data.
   */
  accept(raw: T): T {
    const migrated = this.#migrate(raw) as T;
    // ConfigData refuses a non-object argument with a TypeError first; this catches what a file parsed to
    // (`null`, `5`) or a migration returned, which are data problems, not a caller's.
    if (typeof migrated !== 'object' || migrated === null) {
      throw new ConfigInvalidError(this.#name, [`the configuration must be an object, got ${describeValue(migrated)}`]);
    }
    const problem = findNonCloneable(migrated);
    if (problem !== undefined) throw new NotCloneableError(problem.path, problem.what);
    if (this.#validate !== undefined) {
      let verdict: ValidateResult;
      try {
        verdict = this.#validate(migrated);
      } catch (error) {
        throw new ConfigInvalidError(this.#name, [`validate threw: ${describeThrown(error)}`], error);
      }
      const issues = verdictIssues(verdict);
      if (issues !== undefined) throw new ConfigInvalidError(this.#name, issues);
    }
    return this.#freeze ? deepFreeze(migrated) : migrated;
  }

  #migrate(raw: unknown): unknown {
    let declared: unknown;
    try {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
      declared = (raw as Record<string, unknown>)[this.#versionKey];
    } catch (error) {
      // A getter or Proxy trap that throws: not a configuration anyone can read.
      throw new ConfigInvalidError(this.#name, [`reading ${this.#versionKey} threw: ${describeThrown(error)}`], error);
    }
    if (declared === undefined) return raw;
    if (typeof declared !== 'number' || !Number.isInteger(declared) || declared < 1) {
      throw new ConfigInvalidError(this.#name, [`${this.#versionKey} must be a positive integer, got ${describeValue(declared)}`]);
    }
    if (declared > this.#schemaVersion) {
      throw new ConfigInvalidError(this.#name, [`${this.#versionKey} ${declared} is newer than the supported ${this.#schemaVersion}`]);
    }
    let config: unknown = raw;
    for (let from = declared; from < this.#schemaVersion; from += 1) {
      const step = this.#migrations[from];
      if (step === undefined) throw new ConfigInvalidError(this.#name, [`no migration from ${this.#versionKey} ${from}`]);
      try {
        config = step(config);
      } catch (error) {
        throw new ConfigInvalidError(this.#name, [`migration from ${this.#versionKey} ${from} threw: ${describeThrown(error)}`], error);
      }
    }
    if (declared < this.#schemaVersion && typeof config === 'object' && config !== null && !Array.isArray(config)) {
      config = { ...(config as Record<string, unknown>), [this.#versionKey]: this.#schemaVersion };
    }
    return config;
  }
}

function verdictIssues(verdict: ValidateResult): string[] | undefined {
  if (verdict === undefined || verdict === true) return undefined;
  if (verdict === false) return [];
  if (typeof verdict === 'string') return [verdict];
  if (Array.isArray(verdict)) return verdict.length === 0 ? undefined : verdict.map(String);
  return [`validate returned ${describeValue(verdict)}`];
}
