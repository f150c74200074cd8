import { parseArgs } from 'node:util';
import { toError, isPatinoxError } from '@patinox/errors';
import { RedisBackend } from '../backends/redis-backend.js';
import { RedisBus } from '../backends/redis-bus.js';
import { jsonCodec, type Codec, type Compressor } from '../serialization/codec.js';
import { Serializer } from '../serialization/serializer.js';
import { KeyLayout } from '../tiered/key-layout.js';
import { TieredCache } from '../tiered/tiered-cache.js';
import type { InvalidationMessage } from '../tiered/bus.js';
import { CacheBackendError } from '../errors.js';
import type { Redis } from 'ioredis';

/** Exit codes of `patinox-cache`; stable, for scripts. */
export const CLI_EXIT_CODES = Object.freeze({
  ok: 0,
  /** `get` of a missing key, `keys` that matched nothing. */
  notFound: 1,
  /** Unknown command, missing argument, bad option. */
  usage: 2,
  /** Redis did not answer (down, wrong URL, timeout). */
  unavailable: 3,
  /** A value could not be decoded, or another runtime failure. */
  failed: 4,
});

/** Where the CLI writes; `process` by default, swapped in tests. */
export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Resolves when the user interrupts `events tail` (SIGINT). */
  interrupted?: Promise<void>;
}

const USAGE = `Usage: patinox-cache [options] <command>

Commands:
  status                 ping Redis and show the server and namespace size
  stats                  Redis hit/miss/memory figures and namespace size
  keys <pattern>         keys of the namespace matching a glob (SCAN, never KEYS)
  get <key>              the decoded value of a key, as JSON
  invalidate-tag <tag>   delete every key tagged <tag> and tell every instance
  events tail            print invalidation events as JSON lines until Ctrl-C

Options:
  -u, --url <url>          Redis URL (env REDIS_URL) [redis://127.0.0.1:6379]
  -n, --namespace <ns>     cache namespace (env PATINOX_CACHE_NAMESPACE)
  -c, --channel <name>     invalidation channel [patinox:cache:invalidation]
  -t, --timeout <ms>       deadline of each Redis call [2000]
      --count <n>          events tail: stop after n events
  -h, --help               this help

Exit codes: 0 ok, 1 not found, 2 usage error, 3 Redis unavailable, 4 failed (e.g. undecodable value).`;

class UsageError extends Error {}

/**
 * Runs the `patinox-cache` command line and resolves its exit code; never throws, never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string', short: 'u' },
        namespace: { type: 'string', short: 'n' },
        channel: { type: 'string', short: 'c' },
        timeout: { type: 'string', short: 't' },
        count: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr(`patinox-cache: ${toError(err).message}\n\n${USAGE}`);
    return CLI_EXIT_CODES.usage;
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length === 0) {
    (values.help === true ? io.stdout : io.stderr)(USAGE);
    return values.help === true ? CLI_EXIT_CODES.ok : CLI_EXIT_CODES.usage;
  }
  const url = values.url ?? io.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const namespace = values.namespace ?? io.env.PATINOX_CACHE_NAMESPACE;
  const timeoutMs = values.timeout === undefined ? 2000 : Number(values.timeout);
  const count = values.count === undefined ? Infinity : Number(values.count);
  let backend: RedisBackend | undefined;
  try {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of ms, got ${values.timeout}`);
    if (!(count > 0)) throw new UsageError(`--count must be a positive number, got ${values.count}`);
    if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--url must be a redis:// or rediss:// URL, got ${url}`);
    const [command, ...args] = positionals as [string, ...string[]];
    const needNamespace = (): string => {
      if (namespace === undefined) throw new UsageError(`${command} needs --namespace (or PATINOX_CACHE_NAMESPACE)`);
      return namespace;
    };
    const needArg = (name: string): string => {
      if (args[0] === undefined) throw new UsageError(`${command} needs <${name}>`);
      return args[0];
    };
    backend = new RedisBackend({ url, redisOptions: { connectTimeout: timeoutMs, retryStrategy: () => null, lazyConnect: false } });
    const withDeadline = <T>(p: Promise<T>): Promise<T> => deadline(p, timeoutMs, url);

    switch (command) {
      case 'status': {
        const latencyMs = await withDeadline(backend.ping());
        const info = parseInfo(await withDeadline((backend.client as Redis).info('server')));
        const out: Record<string, unknown> = { url: redact(url), status: 'up', latencyMs: round(latencyMs), version: info.redis_version, mode: info.redis_mode };
        if (namespace !== undefined) out.namespace = { name: namespace, keys: await withDeadline(countKeys(backend, namespace)) };
        io.stdout(JSON.stringify(out, null, 2));
        return CLI_EXIT_CODES.ok;
      }
      case 'stats': {
        const client = backend.client as Redis;
        const stats = parseInfo(await withDeadline(client.info('stats')));
        const memory = parseInfo(await withDeadline(client.info('memory')));
        const hits = Number(stats.keyspace_hits ?? 0);
        const misses = Number(stats.keyspace_misses ?? 0);
        const out: Record<string, unknown> = {
          keyspaceHits: hits,
          keyspaceMisses: misses,
          hitRate: hits + misses === 0 ? 0 : round(hits / (hits + misses)),
          evictedKeys: Number(stats.evicted_keys ?? 0),
          expiredKeys: Number(stats.expired_keys ?? 0),
          usedMemoryBytes: Number(memory.used_memory ?? 0),
          pubsubChannels: Number(stats.pubsub_channels ?? 0),
        };
        if (namespace !== undefined) out.namespace = { name: namespace, keys: await withDeadline(countKeys(backend, namespace)) };
        io.stdout(JSON.stringify(out, null, 2));
        return CLI_EXIT_CODES.ok;
      }
      case 'keys': {
        const ns = needNamespace();
        const pattern = args[0] ?? '*';
        let found = 0;
        await withDeadline(backend.ping());
        const prefix = KeyLayout.of(ns).values;
        for await (const batch of backend.scan(`${prefix}${pattern}`, 1000)) {
          for (const key of batch) io.stdout(key.slice(prefix.length));
          found += batch.length;
        }
        return found === 0 ? CLI_EXIT_CODES.notFound : CLI_EXIT_CODES.ok;
      }
      case 'get': {
        const ns = needNamespace();
        const key = needArg('key');
        const bytes = await withDeadline(backend.get(KeyLayout.of(ns).value(key)));
        if (bytes === null) {
          io.stderr(`patinox-cache: no key ${JSON.stringify(key)} in namespace ${ns}`);
          return CLI_EXIT_CODES.notFound;
        }
        const ttl = await withDeadline(backend.ttl(KeyLayout.of(ns).value(key)));
        const value = (await readerSerializer()).deserialize(bytes, key);
        io.stdout(JSON.stringify({ key, ttlMs: ttl !== null && ttl > 0 ? ttl : null, value: toJson(value) }, null, 2));
        return CLI_EXIT_CODES.ok;
      }
      case 'invalidate-tag': {
        const ns = needNamespace();
        const tag = needArg('tag');
        const cache = new TieredCache({ l2: backend, bus: new RedisBus({ client: backend.client, channel: values.channel }), namespace: ns, l1: false, operationTimeoutMs: timeoutMs });
        backend = undefined;
        try {
          const removed = await cache.invalidateTag(tag);
          io.stdout(JSON.stringify({ namespace: ns, tag, removed }));
        } finally {
          await cache.close();
        }
        return CLI_EXIT_CODES.ok;
      }
      case 'events': {
        if (args[0] !== 'tail') throw new UsageError(`unknown events subcommand ${JSON.stringify(args[0] ?? '')}; try "events tail"`);
        await withDeadline(backend.ping());
        const bus = new RedisBus({ client: backend.client, channel: values.channel });
        try {
          await withDeadline(bus.ready);
          io.stderr(`patinox-cache: listening on ${bus.channel}${namespace === undefined ? '' : ` for namespace ${namespace}`}; Ctrl-C to stop`);
          let seen = 0;
          await new Promise<void>((resolve) => {
            bus.subscribe({
              onMessage: (message: InvalidationMessage) => {
                if (namespace !== undefined && message.namespace !== namespace) return;
                io.stdout(JSON.stringify({ ...message, receivedAt: Date.now() }));
                seen += 1;
                if (seen >= count) resolve();
              },
              onStateChange: (state) => io.stderr(`patinox-cache: bus ${state}`),
            });
            void io.interrupted?.then(resolve);
          });
        } finally {
          await bus.close();
        }
        return CLI_EXIT_CODES.ok;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`patinox-cache: ${err.message}\n\n${USAGE}`);
      return CLI_EXIT_CODES.usage;
    }
    const error = toError(err);
    if (isPatinoxError(error, 'CACHE_BACKEND_UNAVAILABLE')) {
      io.stderr(`patinox-cache: cannot reach Redis at ${redact(url)}: ${error.message}. Is it running? Check --url or REDIS_URL.`);
      return CLI_EXIT_CODES.unavailable;
    }
    io.stderr(`patinox-cache: ${error.message}`);
    return CLI_EXIT_CODES.failed;
  } finally {
    await backend?.close().catch(() => undefined);
  }
}

async function readerSerializer(): Promise<Serializer> {
  const [{ createMsgpackCodec }, { createLz4Compressor }] = await Promise.all([import('../serialization/msgpack.js'), import('../serialization/lz4.js')]);
  // The optional peers load on the first value that needs them: a JSON value never needs msgpackr, an
  // uncompressed one never needs lz4-napi; a value that does, without its package, fails with PEER_DEPENDENCY_MISSING.
  let codec: Codec | undefined;
  let lz4: Compressor | undefined;
  const msgpack = (): Codec => (codec ??= createMsgpackCodec());
  const compressor = (): Compressor => (lz4 ??= createLz4Compressor());
  return new Serializer({
    codec: { id: 2, name: 'msgpack', encode: (value) => msgpack().encode(value), decode: (bytes) => msgpack().decode(bytes) },
    compression: { name: 'lz4', compress: (bytes) => compressor().compress(bytes), decompress: (bytes) => compressor().decompress(bytes) },
    decoders: [jsonCodec],
  });
}

async function countKeys(backend: RedisBackend, namespace: string): Promise<number> {
  let n = 0;
  for await (const batch of backend.scan(`${KeyLayout.of(namespace).values}*`, 1000)) n += batch.length;
  return n;
}

function deadline<T>(promise: Promise<T>, ms: number, url: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CacheBackendError(`no answer from ${redact(url)} within ${ms} ms`, { timeoutMs: ms })), ms);
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

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Set) return [...(v as Set<unknown>)];
      if (v instanceof Map) return Object.fromEntries(v as Map<PropertyKey, unknown>) as unknown;
      return v;
    }),
  ) as unknown;
}
