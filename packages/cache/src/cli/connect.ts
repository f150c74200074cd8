import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { toError } from '@patinox/errors';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { RedisBackend } from '../backends/redis-backend.js';
import { ioredisPeer } from '../internal/peers.js';
import { numberOption, type OptionValues } from './args.js';
import { UsageError } from './exit-codes.js';

/** Where and how to connect, resolved from flags and environment variables. */
export interface ConnectionSettings {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  /** TLS options, or undefined for a plain connection. */
  tls: ConnectionOptions | undefined;
  /** `--cluster` given: skip detection. */
  forceCluster: boolean;
  timeoutMs: number;
  /** The URL with credentials replaced by `***`, for messages. */
  target: string;
}

/**
 * Resolves connection settings. Secrets may come from the environment so they stay out of shell
 * history and `ps`: a flag wins over the URL, the URL over the environment.
 *
 * @throws UsageError for a malformed URL or timeout, or a certificate file that cannot be read.
 */
export function connectionSettings(values: OptionValues, env: Record<string, string | undefined>): ConnectionSettings {
  const url = values.url ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be a redis:// or rediss:// URL, got ${JSON.stringify(redact(url))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(`--url must be a redis:// or rediss:// URL, got ${JSON.stringify(redact(url))}`);
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new UsageError(`--url database must be a number, got ${JSON.stringify(dbText)}`);
  const file = (flag: 'cacert' | 'cert' | 'key', envName: string): Buffer | undefined => {
    const path = values[flag] ?? env[envName];
    if (path === undefined || path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UsageError(`cannot read --${flag} ${path}: ${toError(err).message}`);
    }
  };
  const ca = file('cacert', 'PATINOX_REDIS_CACERT');
  const cert = file('cert', 'PATINOX_REDIS_CERT');
  const key = file('key', 'PATINOX_REDIS_KEY');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together: a client certificate needs its private key');
  const useTls = values.tls === true || parsed.protocol === 'rediss:' || ca !== undefined || cert !== undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls: ConnectionOptions | undefined = useTls ? { ca, cert, key, servername: isIp(host) ? undefined : host } : undefined;
  const decode = (text: string): string | undefined => (text === '' ? undefined : decodeURIComponent(text));
  const username = values.user ?? decode(parsed.username) ?? nonEmpty(env.PATINOX_REDIS_USER);
  const password = values.password ?? decode(parsed.password) ?? nonEmpty(env.PATINOX_REDIS_PASSWORD) ?? nonEmpty(env.REDISCLI_AUTH);
  const timeoutMs = numberOption('timeout', values.timeout, 2000, { min: 1 });
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const target = `${useTls ? 'rediss' : 'redis'}://${username !== undefined || password !== undefined ? '***@' : ''}${parsed.host}${db === 0 ? '' : `/${db}`}`;
  return { host, port, db, username, password, tls, forceCluster: values.cluster === true, timeoutMs, target };
}

/**
 * An open connection to a standalone Redis or a Redis Cluster, with the {@link RedisBackend} the
 * commands use and the connection errors ioredis reported (they carry the reason a command only sees as
 * "Connection is closed").
 */
export class Connection {
  readonly backend: RedisBackend;

  private constructor(
    readonly client: Redis | Cluster,
    readonly settings: ConnectionSettings,
    /** Connection errors ioredis reported, oldest first. */
    readonly errors: Error[],
  ) {
    this.backend = new RedisBackend({ client });
  }

  get isCluster(): boolean {
    return this.backend.isCluster;
  }

  /**
   * Connects, and on a server with `cluster_enabled:1` (or with `--cluster`) reconnects as a Cluster
   * client that knows every master and follows MOVED/ASK redirections.
   *
   * @param errors receives connection errors as they happen, also when connecting fails (the caller
   *   classifies a failure by them).
   */
  static async open(settings: ConnectionSettings, errors: Error[] = []): Promise<Connection> {
    // ioredis is an optional peer: loaded here, so `help` and usage errors work without it, and its
    // absence is a ERRORS_PEER_DEPENDENCY_MISSING naming the package.
    const { Redis, Cluster } = ioredisPeer();
    if (!settings.forceCluster) {
      const single = new Redis(standaloneOptions(settings));
      single.on('error', (err: unknown) => errors.push(toError(err)));
      try {
        await deadline(single.connect(), settings, 'connect');
        // Connections derived later (the bus' subscriber) must connect by themselves.
        single.options.lazyConnect = false;
        if (!(await isClusterNode(single, settings))) return new Connection(single, settings, errors);
      } catch (err) {
        single.disconnect();
        throw err;
      }
      await single.quit().catch(() => single.disconnect());
    }
    const cluster = new Cluster([{ host: settings.host, port: settings.port }], {
      lazyConnect: true,
      clusterRetryStrategy: () => null,
      slotsRefreshTimeout: settings.timeoutMs,
      redisOptions: { ...nodeOptions(settings) },
    });
    const connection = new Connection(cluster, settings, errors);
    const record = (err: unknown): void => {
      errors.push(toError(err));
    };
    cluster.on('error', record);
    cluster.on('node error', record);
    try {
      await deadline(cluster.connect(), settings, 'connect to the cluster');
      cluster.options.lazyConnect = false;
    } catch (err) {
      cluster.disconnect();
      throw err;
    }
    return connection;
  }

  /** The masters to scan: every cluster master, or the one server. */
  masters(): Redis[] {
    if (!this.isCluster) return [this.client as Redis];
    return (this.client as Cluster).nodes('master');
  }

  /** `host:port` of a node. */
  static address(node: Redis): string {
    return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

function nodeOptions(settings: ConnectionSettings): RedisOptions {
  return {
    username: settings.username,
    password: settings.password,
    tls: settings.tls,
    connectTimeout: settings.timeoutMs,
    // One attempt: an operator's command should fail at once with the reason, not retry quietly.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  };
}

function standaloneOptions(settings: ConnectionSettings): RedisOptions {
  return { ...nodeOptions(settings), host: settings.host, port: settings.port, db: settings.db, lazyConnect: true };
}

async function isClusterNode(client: Redis, settings: ConnectionSettings): Promise<boolean> {
  let info: string;
  try {
    info = await deadline(client.info('cluster'), settings, 'INFO cluster');
  } catch (err) {
    // An ACL user without INFO: assume standalone (pass --cluster for a cluster).
    if (/^NOPERM\b/.test(toError(err).message)) return false;
    throw err;
  }
  return /^cluster_enabled:1\b/m.test(info);
}

/** Rejects with a connection-style error when `promise` takes longer than the timeout. */
export function deadline<T>(promise: Promise<T>, settings: ConnectionSettings, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new Error(`no answer to ${what} within ${settings.timeoutMs} ms`) as Error & { code: string };
      error.code = 'ETIMEDOUT';
      reject(error);
    }, settings.timeoutMs);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(toError(e));
      },
    );
  });
}

/** The URL with any `user:password@` replaced by `***@`. */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
