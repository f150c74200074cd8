import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { describeThrown, describeValue, expectNonEmptyString, expectObject, expectTimerMsOrZero, isPatinoxError, optional, readKnownOptions, rejectUnknownKeys, toError } from '@patinox/errors';
import { createEvent, expectMonitor, noopMonitor, safeRecord, type HealthCheck, type Monitor } from '@patinox/monitor';
import { ConfigData, type ConfigFileWatch, type ConfigHandle, type ConfigListener, type Unsubscribe } from './config-data.js';
import { ConfigClosedError, ConfigInvalidError, ConfigLoadError } from './errors.js';
import { SHARED_EVENTS, type SharedEventName } from './events.js';
import { findProtoKey, getPath, hasProtoSegment, isPlainObject, mergeLayers, readEnvLayer, readFileLayer, setPath, type ResolvedLayer, type ValueSource } from './internal/layers.js';
import { fileWatchHandle } from './internal/file-watch-handle.js';
import { expectName, optionalFunction } from './internal/validate.js';
import type { ConfigLayer, LayeredConfigOptions, WatchFileOptions } from './options.js';

export type { ValueSource } from './internal/layers.js';

/** What {@link LayeredConfig.explain} says about one path. */
export interface ValueExplanation extends ValueSource {
  readonly path: string;
  /** Lower layers that also set this path, nearest first: the values this one shadows. */
  readonly shadowed: readonly ValueSource[];
}

const LAYERED_OPTION_KEYS = ['layers', 'name', 'monitor', 'validate', 'schemaVersion', 'migrations', 'versionKey', 'freeze'] as const;

/**
 * A {@link ConfigData} assembled from layers, later ones winning: typically in-code defaults → a file →
 * an environment-specific file → environment variables → runtime overrides. Every change (an override,
 * a reload, a watched file) re-merges all layers and is validated as a whole by `ConfigData`; a refused
 * one throws `SHARED_CONFIG_INVALID` (or `SHARED_CONFIG_LOAD_FAILED`) and the last good configuration and layers stay.
 * `explain(path)` tells which layer — and which file or variable — a value came from.
 *
 * @example
 * ```ts
 * const config = new LayeredConfig({
 *   layers: [{ name: 'defaults', values: { pool: { maxSize: 10 } } }, { file: 'config.json', optional: true },
 *            { name: 'env', prefix: 'APP_' }],
 *   validate: (c) => c.pool.maxSize > 0 || 'pool.maxSize must be > 0',
 * });
 * config.explain('pool.maxSize'); // { layer: 'env', source: 'APP_POOL__MAX_SIZE', value: 20, … }
 * ```
 * @throws {ConfigInvalidError} `SHARED_CONFIG_INVALID` when the merged configuration (or an env var) is refused.
 * @throws {ConfigLoadError} `SHARED_CONFIG_LOAD_FAILED` when a required file cannot be read or parsed.
 */
export class LayeredConfig<T extends object = Record<string, unknown>> implements Disposable, AsyncDisposable {
  /** The versioned configuration itself: `share()` it with workers, `subscribe()` to it. */
  readonly data: ConfigData<T>;
  readonly #specs: readonly ConfigLayer[];
  readonly #name: string;
  readonly #monitor: Monitor;
  #layers: ResolvedLayer[];
  #overrides: Record<string, unknown> = {};
  #sources: Map<string, ValueSource[]>;
  readonly #watches = new Set<ConfigFileWatch>();
  /** The last reload failed (the configuration in force is older than the layers); cleared by the next good one. */
  #reloadFailing = false;

  constructor(bag: LayeredConfigOptions<T>) {
    // Read once, as plain data: a bag whose getters or traps throw is a TypeError naming it.
    const options = readKnownOptions('options', bag, LAYERED_OPTION_KEYS) as LayeredConfigOptions<T>;
    if (!Array.isArray(options.layers)) throw new TypeError(`Expected \`layers\` to be an array, got ${describeValue(options.layers)}`);
    // Array.from visits holes (as undefined, refused by the check), which forEach and slice would skip or keep.
    const layers: unknown[] = Array.from(options.layers as unknown[]);
    layers.forEach((layer, i) => checkReadableLayer(layer, i));
    this.#specs = Object.freeze(layers) as readonly ConfigLayer[];
    this.#name = expectName(options.name, 'config');
    this.#monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
    const { layers: _layers, ...dataOptions } = options;
    this.#layers = this.#read();
    const merged = mergeLayers(this.#layers);
    this.data = new ConfigData<T>(merged.value as T, dataOptions);
    this.#sources = merged.sources;
  }

  /** The current merged configuration. */
  get(): T {
    return this.data.get();
  }

  get version(): number {
    return this.data.version;
  }

  /** As {@link ConfigData.subscribe} (listener form). */
  subscribe(listener: ConfigListener<T>): Unsubscribe {
    return this.data.subscribe(listener);
  }

  /** As {@link ConfigData.share}: a handle for `ConfigReplica.from` in a worker. */
  share(): ConfigHandle<T> {
    return this.data.share();
  }

  /**
   * Which layer set `path` (dot-separated, e.g. `'pool.maxSize'`) in the current configuration, with
   * the file or environment variable behind it and the lower-layer values it shadows; `undefined` when
   * no layer sets it.
   */
  explain(path: string): ValueExplanation | undefined {
    expectFieldPath(path);
    const list = this.#sources.get(path);
    if (list === undefined || getPath(this.data.get(), path.split('.')) === undefined) return undefined;
    const top = list[list.length - 1]!;
    return { ...top, path, shadowed: list.slice(0, -1).reverse() };
  }

  /**
   * Sets a runtime override (the top layer) at `path` and returns the new version.
   * @throws {ConfigInvalidError} `SHARED_CONFIG_INVALID` when the result is refused; the override is not kept.
   */
  set(path: string, value: unknown): number {
    expectFieldPath(path);
    let proto: string | undefined;
    try {
      proto = findProtoKey(value);
    } catch (cause) {
      throw new TypeError(`Expected \`value\` to be readable, but reading it threw: ${describeThrown(cause)}`, { cause });
    }
    if (proto !== undefined) throw new TypeError(`Expected \`value\` to be configuration data, got one with a \`__proto__\` key at ${proto}`);
    const overrides = structuredClone(this.#overrides);
    setPath(overrides, path.split('.'), value);
    return this.#apply(this.#layers, overrides);
  }

  /** Removes the runtime override at `path` (the layers below show through again); returns the version. */
  unset(path: string): number {
    expectFieldPath(path);
    const overrides = structuredClone(this.#overrides);
    const keys = path.split('.');
    const parent = getPath(overrides, keys.slice(0, -1));
    if (isPlainObject(parent)) delete parent[keys[keys.length - 1]!];
    return this.#apply(this.#layers, overrides);
  }

  /**
   * Reads every file and environment layer again and installs the result; returns the new version.
   * @throws {ConfigLoadError} / {@link ConfigInvalidError} as the constructor; the old configuration stays.
   */
  reload(): number {
    let layers: ResolvedLayer[];
    try {
      layers = this.#read();
    } catch (error) {
      this.#reloadFailing = true;
      this.#report(SHARED_EVENTS.configReloadFailed, error);
      throw error;
    }
    let version: number;
    try {
      version = this.#apply(layers, this.#overrides);
    } catch (error) {
      this.#reloadFailing = true;
      throw error;
    }
    this.#reloadFailing = false;
    return version;
  }

  /**
   * Reloads whenever one of the file layers changes (debounced, atomic saves followed). A reload that
   * fails keeps the old configuration and reports `shared.config.reload.failed`. Never keeps the process
   * alive; `close()` on the result (or on this config) stops it.
   */
  watch(options: Pick<WatchFileOptions, 'debounceMs'> = {}): ConfigFileWatch {
    if (this.data.closed) throw new ConfigClosedError(this.#name);
    const debounceMs = optional('debounceMs', readKnownOptions('options', options, ['debounceMs']).debounceMs, expectTimerMsOrZero, 100);
    const files = this.#specs.flatMap((spec) => ('file' in spec ? [resolve(spec.file)] : []));
    const watchers: FSWatcher[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const handle = fileWatchHandle(files.join(', '), () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      this.#watches.delete(handle);
    });
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      const names = new Set(files.filter((f) => dirname(f) === dir).map((f) => basename(f)));
      // Directories, not files: an atomic save replaces the file's inode.
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (handle.closed || (filename !== null && !names.has(filename))) return;
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = undefined;
          if (handle.closed || this.data.closed) return;
          try {
            this.reload();
          } catch {
            // reported by reload / #apply; the last good configuration stays
          }
        }, debounceMs);
        timer.unref();
      });
      watcher.on('error', (error: Error) => {
        this.#report(SHARED_EVENTS.configWatchFailed, error);
        handle.close();
      });
      watchers.push(watcher);
    }
    this.#watches.add(handle);
    return handle;
  }

  /** True after `close()` (of this config or of its {@link LayeredConfig.data}). */
  get closed(): boolean {
    return this.data.closed;
  }

  /** Stops watches and closes the underlying {@link ConfigData}. Idempotent. */
  close(): void {
    for (const handle of [...this.#watches]) handle.close();
    this.data.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link LayeredConfig.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /**
   * A check for `checkHealth`: the one of {@link LayeredConfig.data} (`down` once closed, `degraded` while
   * a watched file's last reload failed), also `degraded` while the last `reload()` of the layers failed,
   * so the configuration in force is older than its layers. `details.reloadFailing` says which.
   */
  healthCheck(): HealthCheck {
    const inner = this.data.healthCheck();
    return {
      name: inner.name,
      check: async (signal) => {
        const result = await inner.check(signal);
        const details = { ...result.details, reloadFailing: this.#reloadFailing };
        return { status: this.#reloadFailing && result.status === 'up' ? 'degraded' : result.status, details };
      },
    };
  }

  #apply(layers: ResolvedLayer[], overrides: Record<string, unknown>): number {
    const all = Object.keys(overrides).length > 0 ? [...layers, { name: 'override', kind: 'override' as const, values: overrides }] : layers;
    const merged = mergeLayers(all);
    const version = this.data.update(merged.value as T); // validates the whole; throws and keeps the old on refusal
    this.#layers = layers;
    this.#overrides = overrides;
    this.#sources = merged.sources;
    return version;
  }

  #read(): ResolvedLayer[] {
    const layers: ResolvedLayer[] = [];
    const issues: string[] = [];
    for (const spec of this.#specs) {
      if ('values' in spec) {
        layers.push({ name: spec.name ?? 'values', kind: 'values', values: structuredClone(spec.values) });
      } else if ('file' in spec) {
        const parse = optionalFunction<(text: string) => unknown>('parse', spec.parse) ?? JSON.parse;
        let read: ReturnType<typeof readFileLayer>;
        try {
          read = readFileLayer(spec.file, spec.optional === true, parse);
        } catch (error) {
          throw new ConfigLoadError(this.#name, resolve(spec.file), error);
        }
        if (read !== undefined) layers.push({ name: spec.name ?? 'file', kind: 'file', values: read.values, file: read.file });
      } else {
        const below = mergeLayers(layers).value;
        const env = readEnvLayer(spec.env ?? process.env, below, { prefix: spec.prefix, separator: spec.separator ?? '__', vars: spec.vars ?? {} }, issues);
        layers.push({ name: spec.name ?? 'env', kind: 'env', values: env.values, vars: env.vars });
      }
    }
    if (issues.length > 0) throw new ConfigInvalidError(this.#name, issues);
    return layers;
  }

  #report(type: SharedEventName, error: unknown): void {
    const err = toError(error);
    safeRecord(this.#monitor, createEvent(type, this.#name, { code: isPatinoxError(err) ? err.code : undefined, error: err.message }));
  }
}

/** A dot-separated path of configuration fields; `__proto__` is none (walking it reaches Object.prototype). */
function expectFieldPath(path: unknown): void {
  expectNonEmptyString('path', path);
  if (hasProtoSegment(path as string)) {
    throw new TypeError(`Expected \`path\` to be dot-separated configuration fields, got ${describeValue(path)}: \`__proto__\` cannot be one`);
  }
}

/** {@link checkLayer}, with a layer whose getters or traps throw turned into a TypeError naming it. */
function checkReadableLayer(layer: unknown, i: number): asserts layer is ConfigLayer {
  try {
    checkLayer(layer, i);
  } catch (cause) {
    if (cause instanceof TypeError || cause instanceof RangeError) throw cause;
    throw new TypeError(`Expected \`layers[${i}]\` to be readable, but reading it threw: ${describeThrown(cause)}`, { cause });
  }
}

// Each kind of layer knows its own keys: `optional` on a values layer, or `prefx` beside `vars`, is a typo.
const VALUES_LAYER_KEYS = ['name', 'values'] as const;
const FILE_LAYER_KEYS = ['name', 'file', 'optional', 'parse'] as const;
const ENV_LAYER_KEYS = ['name', 'prefix', 'separator', 'vars', 'env'] as const;

function checkLayer(layer: unknown, i: number): asserts layer is ConfigLayer {
  const name = `layers[${i}]`;
  expectObject(name, layer, 'a layer: { values }, { file } or { prefix | vars }');
  const spec = layer as Record<string, unknown>;
  if (spec['name'] !== undefined) expectNonEmptyString(`${name}.name`, spec['name']);
  if ('values' in spec) {
    rejectUnknownKeys(name, spec, VALUES_LAYER_KEYS);
    if (!isPlainObject(spec['values'])) throw new TypeError(`Expected \`${name}.values\` to be a plain object, got ${describeValue(spec['values'])}`);
    const proto = findProtoKey(spec['values']);
    if (proto !== undefined) throw new TypeError(`Expected \`${name}.values\` to be configuration data, got one with a \`__proto__\` key at ${proto}`);
  } else if ('file' in spec) {
    rejectUnknownKeys(name, spec, FILE_LAYER_KEYS);
    expectNonEmptyString(`${name}.file`, spec['file']);
  } else if ('prefix' in spec || 'vars' in spec) {
    rejectUnknownKeys(name, spec, ENV_LAYER_KEYS);
    if (spec['prefix'] !== undefined) expectNonEmptyString(`${name}.prefix`, spec['prefix']);
    if (spec['vars'] !== undefined) {
      const paths = Object.keys(expectObject(`${name}.vars`, spec['vars']));
      const proto = paths.find(hasProtoSegment);
      if (proto !== undefined) throw new TypeError(`Expected \`${name}.vars\` to map configuration paths, got ${JSON.stringify(proto)}: \`__proto__\` cannot be one`);
    }
    if (spec['env'] !== undefined) expectObject(`${name}.env`, spec['env']);
  } else {
    throw new TypeError(`Expected \`${name}\` to have \`values\`, \`file\`, \`prefix\` or \`vars\`, got ${describeValue(layer)}`);
  }
}
