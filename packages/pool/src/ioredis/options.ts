import type { Redis, RedisOptions } from 'ioredis';

/** Options of {@link createIoredisConnectionManager}; every field is optional. */
export interface IoredisConnectionManagerOptions {
  /**
   * Where and how to connect: a `redis://` / `rediss://` URL or ioredis `RedisOptions`. The manager
   * overrides the options that would fight the pool: `lazyConnect` (it connects inside `create`),
   * `retryStrategy` (no reconnects: the pool replaces a dropped connection), `enableOfflineQueue` and
   * `autoResubscribe` (off: a command never waits for a reconnect that will not come).
   * @default {} (127.0.0.1:6379)
   */
  redis?: string | RedisOptions;
  /** The client class to instantiate: ioredis' `Redis` or a subclass. @default ioredis' Redis */
  Redis?: typeof Redis;
  /** Runs once on each new connection before it is lent (`CLIENT SETNAME`, a script load); a throw fails that create. */
  onConnect?: (client: Redis) => void | Promise<void>;
  /** Default for the pool's `createTimeoutMs`, in ms. @default `connectTimeout` of `redis` when set, else the pool's default (10000) */
  connectTimeoutMs?: number;
}

/** Every key of {@link IoredisConnectionManagerOptions}; any other is refused with a `TypeError`. */
export const IOREDIS_MANAGER_OPTION_KEYS = ['redis', 'Redis', 'onConnect', 'connectTimeoutMs'] as const satisfies readonly (keyof IoredisConnectionManagerOptions)[];
