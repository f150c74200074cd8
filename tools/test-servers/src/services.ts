/** The machine's Redis, from `REDIS_URL` or the loopback default. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** The machine's PostgreSQL, from `DATABASE_URL` or the loopback default (trust auth, database `test`). */
export function postgresUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}
