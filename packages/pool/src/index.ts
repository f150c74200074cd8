export type { ConnectionManager } from './connection-manager.js';
export {
  POOL_CLOSED,
  POOL_DRAINING,
  POOL_ERROR_CODES,
  POOL_LOAN_RELEASED,
  POOL_MANAGER_ERROR,
  POOL_QUEUE_FULL,
  POOL_STARTUP_FAILED,
  POOL_TIMEOUT,
  POOL_VALIDATION_FAILED,
  PoolClosedError,
  PoolDrainingError,
  PoolError,
  PoolLoanReleasedError,
  PoolManagerError,
  PoolQueueFullError,
  PoolStartupError,
  PoolTimeoutError,
  PoolValidationError,
} from './errors.js';
export type { PoolErrorCode, TimeoutPhase } from './errors.js';
export { POOL_EVENTS } from './events.js';
export type { PoolEventName } from './events.js';
export { MAX_POOL_SIZE } from './options.js';
export type { AcquireOptions, CloseOptions, DrainOptions, PoolOptions, ReadyOptions, ResizeOptions } from './options.js';
export { Pool } from './pool.js';
export type { CloseReport, LeakReport, PoolStats } from './pool.js';
export { PooledConnection } from './pooled-connection.js';
