export { SharedData } from './shared-data.js';
export type { SharedDataHandle, TryUpdateResult } from './shared-data.js';
export { MutableSharedData } from './mutable-shared-data.js';
export type { LockState, ReadGuard, WriteGuard } from './mutable-shared-data.js';
export { ConfigData, MAX_NOTIFY_ROUNDS } from './config-data.js';
export type { ConfigFileWatch, ConfigHandle, ConfigListener, ConfigSnapshot, ConfigUpdateMessage, Unsubscribe } from './config-data.js';
export { ConfigReplica } from './config-replica.js';
export { SharedRwLock } from './shared-rw-lock.js';
export type { SharedLockGuard, SharedRwLockHandle } from './shared-rw-lock.js';
export { SharedRegion } from './shared-region.js';
export type { RegionGuard, SharedRegionHandle, TypedArrayName, TypedArrayTypes } from './shared-region.js';
export { SharingMetrics } from './sharing-metrics.js';
export { SHARED_EVENTS } from './events.js';
export type { SharedEventName } from './events.js';
export type { SharingStats } from './sharing-metrics.js';
export {
  ConfigClosedError,
  ConfigInvalidError,
  ConfigLoadError,
  ConfigUpdateLoopError,
  LockAbortedError,
  LockTimeoutError,
  NotCloneableError,
  SHARED_CONFIG_CLOSED,
  SHARED_CONFIG_INVALID,
  SHARED_CONFIG_LOAD_FAILED,
  SHARED_CONFIG_UPDATE_LOOP,
  SHARED_DISPOSED,
  SHARED_ERROR_CODES,
  SHARED_LOCK_ABORTED,
  SHARED_LOCK_TIMEOUT,
  SHARED_NOT_CLONEABLE,
  SHARED_OWNERSHIP,
  SharedDisposedError,
  SharedError,
  SharedOwnershipError,
} from './errors.js';
export type { SharedErrorCode, SharedErrorOptions } from './errors.js';
export type {
  ConfigDataOptions,
  ConfigReplicaOptions,
  LockOptions,
  LockOwnerOptions,
  SharedDataOptions,
  SharedRwLockOptions,
  SubscribeOptions,
  ValidateResult,
  WatchFileOptions,
} from './options.js';
export { SharedMap } from './shared-map.js';
export type { ExitingThread, SharedMapCodec, SharedMapCodecName, SharedMapHandle, SharedMapKey } from './shared-map.js';
export {
  SHARED_MAP_FULL,
  SHARED_MAP_LOCK_LOST,
  SHARED_MAP_REENTRANT,
  SHARED_MAP_TOO_LARGE,
  SharedMapFullError,
  SharedMapLockLostError,
  SharedMapReentrantError,
  SharedMapTooLargeError,
} from './errors.js';
export type { SharedMapAttachOptions, SharedMapOptions } from './options.js';
export { LayeredConfig } from './config-layers.js';
export type { ValueExplanation, ValueSource } from './config-layers.js';
export type { ConfigLayer, EnvLayer, FileLayer, LayeredConfigOptions, ValuesLayer } from './options.js';
export { Rollout, isInRollout, rolloutBucket, rolloutIssues } from './rollout.js';
export type { ConfigSource, RolloutRule } from './rollout.js';
