export { RedisBackend } from './redis-backend.js';
export type { RedisBackendOptions, RedisClient } from './redis-backend.js';
export { RedisBus } from './redis-bus.js';
export type { RedisBusOptions } from './redis-bus.js';
