import { connect } from 'node:net';
import pg from 'pg';
import { redact } from './price-cache.js';
import { ServiceUnavailableError } from './service-unavailable.js';


/** Resolves with `promise`, or rejects with `message` after `ms` (the timer never keeps the process alive). */
function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown[] };
  // A refused connection to `localhost` arrives as an AggregateError (one attempt per address).
  if (Array.isArray(e.errors) && e.errors.length > 0) return reason(e.errors[0]);
  if (typeof e.code === 'string' && typeof e.message === 'string' && !e.message.includes(e.code)) return `${e.code}: ${e.message}`;
  return typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
}

// A connect and one inline PING (any RESP reply, `+PONG` or `-NOAUTH`, means a Redis answers) tell a Redis
// that is down or not Redis at all, within the deadline: ioredis keeps a refused client's process alive for
// seconds after giving up, and AUTH or TLS problems are reported by the cache itself. TLS URLs get the connect only.
function redisAnswers(host: string, port: number, ping: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const done = (error?: Error): void => {
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    socket.once('connect', () => {
      if (ping) socket.write('PING\r\n');
      else done();
    });
    socket.once('data', (reply: Buffer) => done(reply[0] === 0x2b || reply[0] === 0x2d ? undefined : new Error('the server there does not speak RESP')));
    socket.once('error', (error) => done(error));
    socket.once('end', () => done(new Error('the server closed the connection')));
  });
}

async function probeRedis(url: string, timeoutMs: number): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServiceUnavailableError(`REDIS_URL is not a URL: ${JSON.stringify(redact(url))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  try {
    await within(redisAnswers(host, port, parsed.protocol === 'redis:'), timeoutMs, `no answer within ${timeoutMs} ms`);
  } catch (error) {
    throw new ServiceUnavailableError(`Redis at ${redact(url)} is unreachable (${reason(error)}): start it, or unset REDIS_URL to run without it`);
  }
}

async function probePostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // reported through connect()'s rejection
  try {
    await within(client.connect(), timeoutMs, `no answer within ${timeoutMs} ms`);
  } catch (error) {
    throw new ServiceUnavailableError(`PostgreSQL at ${redact(url)} is unreachable (${reason(error)}): start it, or unset DATABASE_URL to run without it`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Checks, before anything is built, that the servers named by REDIS_URL and DATABASE_URL answer, each
 * within `timeoutMs`, so a server that is down costs one clear line at once instead of a stalled run.
 * @throws {ServiceUnavailableError} naming the server, its URL (password hidden) and why.
 */
export async function checkServices(env: { redisUrl: string | undefined; databaseUrl: string | undefined }, timeoutMs = 800): Promise<void> {
  await Promise.all([
    env.redisUrl === undefined ? undefined : probeRedis(env.redisUrl, timeoutMs),
    env.databaseUrl === undefined ? undefined : probePostgres(env.databaseUrl, timeoutMs),
  ]);
}
