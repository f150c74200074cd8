import { RedisBus } from '../backends/redis-bus.js';
import type { CacheBackend } from '../tiered/backend.js';
import { TieredCache } from '../tiered/tiered-cache.js';
import type { Serializer } from '../serialization/serializer.js';
import type { OptionName, OptionValues } from './args.js';
import { Connection, connectionSettings, type ConnectionSettings } from './connect.js';
import { writerFor } from './decode.js';
import { CLI_EXIT_CODES, CliFailure, UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';
import { probeLayout, type KeyLayout } from './layout.js';

/** What a command runs with: its arguments, the IO, and a connection opened on first use. */
export class CommandContext {
  readonly #errors: Error[] = [];
  #settings: ConnectionSettings | undefined;
  #connection: Connection | undefined;
  #closers: (() => Promise<void>)[] = [];

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly values: OptionValues,
    readonly io: CliIo,
  ) {}

  /** Connection errors reported so far, for classifying a failure. */
  get connectionErrors(): readonly Error[] {
    return this.#errors;
  }

  /** True once a connection was opened. */
  get isConnected(): boolean {
    return this.#connection !== undefined;
  }

  get settings(): ConnectionSettings {
    if (this.#settings === undefined) {
      this.#settings = connectionSettings(this.values, this.io.env);
      if (this.values.password !== undefined) this.io.stderr('patinox-cache: note: --password is visible in shell history and ps; prefer PATINOX_REDIS_PASSWORD');
    }
    return this.#settings;
  }

  get timeoutMs(): number {
    return this.settings.timeoutMs;
  }

  /** The namespace, or a usage error saying how to give it. */
  namespace(): string {
    const ns = this.values.namespace ?? this.io.env.PATINOX_CACHE_NAMESPACE;
    if (ns === undefined || ns === '') throw new UsageError(`${this.command} needs --namespace (or PATINOX_CACHE_NAMESPACE)`, this.command);
    return ns;
  }

  /** The positional argument at `index`, or a usage error naming it. */
  arg(index: number, name: string): string {
    const value = this.args[index];
    if (value === undefined || value === '') throw new UsageError(`${this.command} needs <${name}>`, this.command);
    return value;
  }

  /** Refuses positional arguments past `count`. */
  noMoreArgs(count: number): void {
    if (this.args.length > count) throw new UsageError(`${this.command} takes ${count} argument${count === 1 ? '' : 's'}, got ${this.args.length}: ${this.args.join(' ')}`, this.command);
  }

  flag(name: OptionName): boolean {
    return this.values[name] === true;
  }

  async connect(): Promise<Connection> {
    this.#connection ??= await Connection.open(this.settings, this.#errors);
    return this.#connection;
  }

  /**
   * A `TieredCache` over the connection (no L1, so every read is Redis' answer) with an invalidation bus,
   * so instances running the application drop their L1 copies of what the command changes.
   *
   * @param l2 a backend to use instead of the connection's (e.g. one counting progress).
   */
  async tier(options: { serializer?: Serializer; l2?: CacheBackend } = {}): Promise<TieredCache> {
    const namespace = this.namespace();
    const connection = await this.connect();
    const bus = new RedisBus({ client: connection.client, channel: this.values.channel });
    const tier = new TieredCache({
      l2: options.l2 ?? connection.backend,
      namespace,
      l1: false,
      bus,
      circuitBreaker: false,
      operationTimeoutMs: this.timeoutMs,
      serializer: options.serializer ?? (await writerFor('json')),
    });
    this.#closers.push(() => tier.close());
    return tier;
  }

  /** The namespace's key layout, learnt from the tier (see `probeLayout`). */
  layout(): Promise<KeyLayout> {
    return probeLayout(this.namespace());
  }

  /**
   * Asks before a dangerous change unless `--yes`; without a terminal the command is refused.
   *
   * @throws CliFailure with `notConfirmed` when the answer is no or nobody can be asked.
   */
  async confirm(question: string): Promise<void> {
    if (this.flag('yes')) return;
    const answer = this.io.confirm === undefined ? 'no-tty' : await this.io.confirm(question);
    if (answer === 'yes') return;
    if (answer === 'no-tty') throw new CliFailure(`${question.replace(/\?$/, '')}: refusing without a terminal to confirm; pass --yes to go ahead.`, CLI_EXIT_CODES.notConfirmed);
    throw new CliFailure('not confirmed; nothing changed', CLI_EXIT_CODES.notConfirmed);
  }

  /** Prints a JSON value (pretty unless it goes to a script via `--json`). */
  printJson(value: unknown): void {
    this.io.stdout(this.flag('json') ? JSON.stringify(value) : JSON.stringify(value, null, 2));
  }

  async close(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close().catch(() => undefined);
    await this.#connection?.close();
  }
}
